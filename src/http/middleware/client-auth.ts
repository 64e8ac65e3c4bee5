import type { Context, MiddlewareHandler } from 'hono'
import type { ClientService } from '../../clients/client.service.ts'
import type { DeliveryService } from '../../clients/delivery.service.ts'
import type { AppEnv } from '../app-env.ts'
import { clientAddressKey } from '../client-address.ts'
import { HttpError } from '../http-error.ts'
import type { LoginThrottle } from '../login-throttle.ts'
import { clientTokenId } from '../../clients/client-token.ts'
import { clientAccessor, UNKNOWN_CLIENT_ACCESSOR } from '../../clients/delivery.service.ts'
import type { SecurityAudit } from '../../audit/security-audit.ts'

const BEARER = /^Bearer +(\S+) *$/i
// A client token anywhere it must not be: `chs_`, also percent-encoded (`chs%5F`).
const TOKEN_TRACE = /chs(?:_|%5f)/i

const refused = (message = 'a valid client token is required (Authorization: Bearer chs_...)') =>
  new HttpError('unauthenticated', message, { headers: { 'WWW-Authenticate': 'Bearer realm="claude-hooks-secrets"' } })

/** Whether the request carries something token-like in its query string or a cookie. */
function misplacedToken(c: Context<AppEnv>): boolean {
  const url = c.req.url
  const query = url.indexOf('?')
  if (query >= 0 && TOKEN_TRACE.test(url.slice(query))) return true
  return TOKEN_TRACE.test(c.req.header('Cookie') ?? '')
}

/**
 * requireClient: the delivery routes' authentication, `Authorization:
 * Bearer chs_...` and nothing else (no cookie, no CSRF token).
 *
 * 1. A token in the query string or a cookie is refused (401) whatever
 *    else the request holds: such tokens end up in proxy logs and browser
 *    history, so the holder should rotate it.
 * 2. No Authorization header: 401.
 * 3. The address, or the token's id, locked by earlier failures: 429 with
 *    Retry-After, before the token is looked at.
 * 4. The token is checked (ClientService.authenticate: shape, stored id,
 *    constant-time hash compare, revocation, expiry). A refusal counts one
 *    failure for the address and, when the id is a stored one, for the id;
 *    it is audited (never with the token) and answered 401, the same answer
 *    for every reason.
 *
 * A refusal that starts a lock is also audited as one `lockout` row.
 *
 * On success `c.var.client` holds the principal. The token is never
 * logged: the request log has no headers, and no message here holds it.
 */
export function requireClient(deps: {
  clients: ClientService
  delivery: DeliveryService
  throttle: LoginThrottle
  /** Where a lockout is audited, when a refusal starts one (absent: not audited). */
  audit?: SecurityAudit | undefined
}): MiddlewareHandler<AppEnv> {
  const { clients, delivery, throttle, audit } = deps
  return async function requireClient(c, next) {
    const address = clientAddressKey(c)
    if (misplacedToken(c)) {
      throttle.failed(undefined, address)
      await delivery.refuseToken({ why: 'misplaced', address: c.env?.remoteAddress })
      throw refused('a client token is accepted only in the Authorization header (Bearer), never in a query string or a cookie')
    }
    const header = c.req.header('Authorization')
    if (header === undefined) throw refused()
    const token = BEARER.exec(header)?.[1]
    const wait = throttle.lockedFor(clientTokenId(token), address)
    if (wait !== undefined) {
      throw new HttpError('rate_limited', `too many refused tokens; try again in ${wait} seconds`, {
        headers: { 'Retry-After': String(wait) },
      })
    }
    const auth = token === undefined ? ({ ok: false, why: 'malformed' } as const) : await clients.authenticate(token)
    if (!auth.ok) {
      throttle.failed('tokenId' in auth ? auth.tokenId : undefined, address)
      const known = 'tokenId' in auth ? { client: auth.client, tokenId: auth.tokenId } : {}
      await delivery.refuseToken({ why: auth.why, ...known, address: c.env?.remoteAddress })
      // This refusal locked the token id or the address: one `lockout` row when the lock starts (refusals while locked are 429s).
      const locked = throttle.lockedFor(known.tokenId, address)
      if (locked !== undefined && audit) {
        const accessor = known.client === undefined ? UNKNOWN_CLIENT_ACCESSOR : clientAccessor(known.client)
        await audit.record([{ action: 'lockout', accessor, reason: `client tokens locked for ${locked} s`, outcome: 'denied', tokenId: known.tokenId, address: c.env?.remoteAddress }])
      }
      throw refused()
    }
    c.set('client', auth.principal)
    return next()
  }
}
