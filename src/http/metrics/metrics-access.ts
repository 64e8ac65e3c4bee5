import type { Context, MiddlewareHandler } from 'hono'
import { constantTimeEqual } from '../../crypto/constant-time.ts'
import type { AppEnv } from '../app-env.ts'
import { HttpError } from '../http-error.ts'

const BEARER = /^Bearer +(\S+) *$/i

/** Whether an address is a loopback one: 127.0.0.0/8, ::1, or 127.x mapped into IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const v4 = /^(?:::ffff:)?(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.exec(address)
  if (v4) return v4[1] === '127'
  const v6 = address.split('%')[0]!
  return v6 === '::1' || v6 === '0:0:0:0:0:0:0:1'
}

/** Whether the request came through a proxy (which makes every request look local). */
function proxied(c: Context<AppEnv>): boolean {
  return c.req.header('Forwarded') !== undefined || c.req.header('X-Forwarded-For') !== undefined
}

const digest = async (text: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))

/**
 * Who may read `/metrics`: a peer on a loopback address (and not through a
 * proxy: a request carrying `Forwarded` or `X-Forwarded-For` is not
 * local, whatever its socket says), or anyone with `Authorization: Bearer
 * METRICS_TOKEN` when a token is configured. The token is compared in
 * constant time over SHA-256 digests (so not even its length shows).
 * Anything else: 401, with nothing about the metrics.
 */
export function metricsAccess(token: string | undefined): MiddlewareHandler<AppEnv> {
  const expected = token === undefined ? undefined : digest(token)
  return async function metricsAccess(c, next) {
    const header = c.req.header('Authorization')
    if (header !== undefined) {
      const given = BEARER.exec(header)?.[1]
      if (expected !== undefined && given !== undefined && constantTimeEqual(await digest(given), await expected)) return next()
      throw refused()
    }
    if (isLoopback(c.env?.remoteAddress) && !proxied(c)) return next()
    throw refused()
  }
}

function refused(): HttpError {
  return new HttpError('unauthenticated', '/metrics is readable from a loopback address, or with Authorization: Bearer METRICS_TOKEN', {
    headers: { 'WWW-Authenticate': 'Bearer realm="claude-hooks-secrets metrics"' },
  })
}
