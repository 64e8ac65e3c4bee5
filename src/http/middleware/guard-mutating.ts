import type { Context, MiddlewareHandler } from 'hono'
import { constantTimeEqualText } from '../../crypto/constant-time.ts'
import type { ActiveSession } from '../../operators/session.service.ts'
import type { AppEnv } from '../app-env.ts'
import { csrfFailed, unauthenticated } from '../http-error.ts'
import { isCrossSite } from './is-cross-site.ts'

/** Methods that change something. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Header that must carry the session's CSRF token. */
export const CSRF_HEADER = 'X-CSRF-Token'

export interface GuardOptions {
  /** Origins besides the request's own that may send mutations (a reverse proxy's public origin). */
  trustedOrigins?: readonly string[]
  /** Requests the guard lets through (the login, which has no session yet). */
  except?: (c: Context<AppEnv>) => boolean
}

/**
 * guardMutating: every POST, PUT, PATCH and DELETE needs, in this order,
 *
 * 1. a live session (loaded by load-session.ts), else 401 `unauthenticated`;
 * 2. a same-site request (is-cross-site.ts), else 403 `csrf_failed`;
 * 3. an `X-CSRF-Token` header equal to the session's token, compared in
 *    constant time, else 403 `csrf_failed`.
 *
 * Hono's own `csrf` middleware is not used: it checks only form and
 * text/plain bodies and lets every JSON request through, relying on CORS
 * preflight; here every mutation is checked, whatever its Content-Type (and
 * validation/json-body.ts refuses form and text bodies with 415 anyway).
 */
export function guardMutating(options: GuardOptions = {}): MiddlewareHandler<AppEnv> {
  const check = mutationCheck(options)
  return async function guardMutating(c, next) {
    check(c, c.get('session'))
    return next()
  }
}

/**
 * The checks of {@link guardMutating} as a plain function, for the session
 * gate (session-gate.ts), which runs them without a middleware of their own:
 * does nothing for a request that changes nothing (or one `except` lets
 * through), throws the 401 or 403 otherwise.
 */
export function mutationCheck(options: GuardOptions = {}): (c: Context<AppEnv>, session: ActiveSession | undefined) => void {
  const trusted = [...(options.trustedOrigins ?? [])]
  return function checkMutation(c, session) {
    if (!MUTATING_METHODS.has(c.req.method) || options.except?.(c)) return
    if (!session) throw unauthenticated()
    if (isCrossSite(c, trusted)) throw csrfFailed('cross-site request refused')
    const token = c.req.header(CSRF_HEADER)
    if (token === undefined || token === '') throw csrfFailed(`the ${CSRF_HEADER} header is missing`)
    if (!constantTimeEqualText(token, session.csrfToken)) throw csrfFailed(`the ${CSRF_HEADER} header does not match the session`)
  }
}
