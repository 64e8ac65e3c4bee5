import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { MalformedPlaceholderError, MissingSecretError, SecretsError, ValidationError, VersionMismatchError } from '../errors.ts'
import { NotGrantedError } from '../clients/client-errors.ts'
import type { AppEnv } from './app-env.ts'
import type { AppLogger } from './app-logger.ts'
import { HttpError } from './http-error.ts'
import { routeOf } from './middleware/request-log.ts'
import type { DatabaseLocation } from '../store/database.ts'
import { storeFault } from '../store/driver-errors.ts'
import { describeFailure, StoreUnavailableError } from '../store/open-errors.ts'

function send(c: Context, error: HttpError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value)
  return c.json(error.body(), error.status as ContentfulStatusCode)
}

/** Library errors a client can cause, by stable code. Any other code is a server fault. */
function fromSecretsError(e: SecretsError): HttpError | undefined {
  switch (e.code) {
    case 'validation_error': {
      // The service builds these messages from field names and rules only.
      const field = e instanceof ValidationError ? e.field : undefined
      return new HttpError('validation_error', e.message, { field })
    }
    case 'not_found':
      return new HttpError('not_found', e.message)
    case 'already_exists':
      return new HttpError('already_exists', e.message)
    case 'conflict':
      return new HttpError('conflict', e.message)
    // Check-and-set lost: the current version in the body and as the ETag, so the client can re-read and retry.
    case 'version_mismatch':
      return e instanceof VersionMismatchError
        ? new HttpError('version_mismatch', e.message, {
            details: { current_version: e.current },
            headers: e.current > 0 ? { ETag: `"${e.current}"` } : {},
          })
        : undefined
    case 'unknown_version':
      return new HttpError('unknown_version', e.message)
    // The stored row is not what the audit log says: nothing was written; the operator runs `secrets audit verify`.
    case 'row_not_audited':
      return new HttpError('row_not_audited', e.message)
    // The delivery routes' refusals (docs/clients.md): names and positions only.
    case 'not_granted':
      return e instanceof NotGrantedError ? new HttpError('not_granted', e.message, { details: { names: [...e.names] } }) : undefined
    case 'missing_secret':
      return e instanceof MissingSecretError ? new HttpError('missing_secret', e.message, { details: { names: [...e.names] } }) : undefined
    case 'malformed_placeholder':
      return e instanceof MalformedPlaceholderError
        ? new HttpError('malformed_placeholder', e.message, { details: { line: e.line, column: e.column } })
        : undefined
    default:
      return undefined
  }
}

/**
 * The one place errors become responses: `{"error":{"code","message","field"?}}`.
 * HttpError as thrown; library errors by `code` (400, 404, 409); database faults (busy, full, read-only) 503 with
 * Retry-After (a store that does not answer is logged in one line naming
 * `location` and why). Anything else is logged through `logger.error`
 * (name, message, stack; never the body) and answered with a generic 500.
 */
export function errorHandler(logger: AppLogger, location?: DatabaseLocation): ErrorHandler<AppEnv> {
  return function handleError(error, c) {
    const known =
      error instanceof HttpError
        ? error
        : error instanceof SecretsError
          ? fromSecretsError(error)
          : undefined
    if (known) return send(c, known)
    // The client hung up before its body was complete: not the server's fault,
    // and nobody is left to read the answer; the request log keeps the 400.
    if ((error as { name?: unknown } | null)?.name === 'AbortError' || c.req.raw.signal?.aborted === true) {
      return send(c, new HttpError('request_aborted', 'the request ended before its body was complete'))
    }
    // The database's own faults (a writer holding the lock, a full disk): the
    // client may retry; the audit layer wraps them, so look at the cause too.
    const fault = storeFault(error) ?? storeFault((error as { cause?: unknown }).cause)
    if (fault) {
      logger.error(`${c.req.method} ${routeOf(c)}: ${fault.code}`, fault.code === 'store_unavailable' && location ? unavailableLine(error, location) : error, c.get('requestId'))
      return send(c, new HttpError(fault.code, fault.message, { headers: { 'Retry-After': '1' } }))
    }
    logger.error(`${c.req.method} ${routeOf(c)}`, error, c.get('requestId'))
    return send(c, new HttpError('internal_error', 'internal error; the server log has the details'))
  }
}

/** The store gone: one line saying where it is and why (never the password), not the driver's stack. */
function unavailableLine(error: unknown, location: DatabaseLocation): Error {
  const cause = storeFault(error) ? error : (error as { cause?: unknown }).cause
  const line = new StoreUnavailableError(`the store does not answer (${describeFailure(cause, location)})`)
  line.stack = `${line.name}: ${line.message}`
  return line
}

/** Unknown routes: 404 in the same JSON shape as every other error. */
export const notFound: NotFoundHandler<AppEnv> = function notFound(c) {
  return send(c, new HttpError('not_found', 'no such route'))
}
