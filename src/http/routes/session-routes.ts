import { Hono } from 'hono'
import { type SecurityAudit, type SecurityEvent, UNKNOWN_OPERATOR_ACCESSOR } from '../../audit/security-audit.ts'
import type { OperatorService } from '../../operators/operator.service.ts'
import type { ActiveSession, SessionPolicy, SessionService } from '../../operators/session.service.ts'
import type { AppEnv } from '../app-env.ts'
import { clientAddressKey } from '../client-address.ts'
import { refuseCrossSite } from '../middleware/refuse-cross-site.ts'
import { HttpError, unauthenticated } from '../http-error.ts'
import { appAnswer } from '../middleware/security-headers.ts'
import { jsonBody } from '../validation/json-body.ts'
import type { LoginThrottle } from '../login-throttle.ts'
import { EmptyBody, LoginBody } from '../validation/request-schemas.ts'
import { clearSessionCookie, cookieShouldBeSecure, setSessionCookie } from '../session-cookie.ts'

export interface SessionRoutesDeps {
  /** Where logins, refused logins, lockouts and logouts are audited. */
  audit: SecurityAudit
  operators: OperatorService
  sessions: SessionService
  throttle: LoginThrottle
  /** Secure cookies even over plain HTTP (TLS ends at a proxy in front). */
  secureCookies: boolean
  trustedOrigins: readonly string[]
}

/**
 * The answer of `POST /session` and `GET /session`: who, the CSRF token, and
 * when the session ends, so the UI can warn before it does. `expires_at` is
 * the idle expiry as of this request (capped by the absolute one); every
 * authenticated request moves it on, by up to `idle_timeout_seconds`.
 */
function sessionJson(session: ActiveSession, policy: SessionPolicy) {
  return {
    username: session.username,
    csrf_token: session.csrfToken,
    expires_at: session.expiresAt,
    absolute_expires_at: session.absoluteExpiresAt,
    idle_timeout_seconds: Math.floor(policy.idleMs / 1000),
  }
}

/**
 * `/session`: log in, who am I, log out. Mounted behind the session gate (the cookie's session, and
 * guardMutating's checks; app.ts), which lets the login through: it has no session
 * yet, so here it only refuses cross-site requests.
 */
export function sessionRoutes(deps: SessionRoutesDeps): Hono<AppEnv> {
  const { operators, sessions, throttle, audit } = deps
  const app = new Hono<AppEnv>()

  app.post('/', refuseCrossSite({ trustedOrigins: deps.trustedOrigins }), jsonBody(LoginBody), async function login(c) {
    const { username, password } = c.req.valid('json')
    const address = clientAddressKey(c)
    const wait = throttle.begin(username, address)
    if (wait !== undefined) {
      throw new HttpError('rate_limited', `too many failed logins; try again in ${wait} seconds`, {
        headers: { 'Retry-After': String(wait) },
      })
    }
    const peer = c.env?.remoteAddress
    // One message for both: the answer must not tell which of the two was wrong.
    const who = await operators.authenticate(username, password)
    if (who === undefined) {
      // Only a name that is an operator's is written: what was typed may be a password.
      const accessor = (await operators.exists(username)) ? `operator:${username}` : UNKNOWN_OPERATOR_ACCESSOR
      const events: SecurityEvent[] = [{ action: 'login', accessor, reason: 'login refused: wrong username or password', outcome: 'denied', address: peer }]
      // This failure locked the username or the address: said once, when the lock starts (refusals while locked are 429s, not rows).
      const locked = throttle.lockedFor(username, address)
      if (locked !== undefined) events.push({ action: 'lockout', accessor, reason: `logins locked for ${locked} s`, outcome: 'denied', address: peer })
      await audit.record(events)
      throw unauthenticated('wrong username or password')
    }
    throttle.succeeded(username, address)
    // A login from a browser that still holds a session replaces it.
    const previous = c.get('session')
    if (previous) await sessions.end(previous.tokenHash)
    // Audited before the session exists: a login whose row cannot be written gives no session.
    await audit.record([{ action: 'login', accessor: `operator:${who}`, reason: 'login', address: peer }])
    const { token, session } = await sessions.create(who)
    setSessionCookie(c, token, {
      secure: cookieShouldBeSecure(c, deps.secureCookies),
      maxAgeSeconds: Math.floor(sessions.policy.absoluteMs / 1000),
    })
    return c.json(sessionJson(session, sessions.policy))
  })

  app.get('/', function whoAmI(c) {
    const session = c.get('session')
    if (!session) throw unauthenticated()
    // Built with the app's headers at once (security-headers.ts): the UI asks at every page load.
    return appAnswer(JSON.stringify(sessionJson(session, sessions.policy)), 200, 'application/json')
  })

  app.delete('/', jsonBody(EmptyBody, { optional: true }), async function logout(c) {
    const session = c.get('session')
    // guardMutating answered 401 already; this is the type's due.
    if (!session) throw unauthenticated()
    await sessions.end(session.tokenHash)
    await audit.record([{ action: 'logout', accessor: `operator:${session.username}`, reason: 'logout', address: c.env?.remoteAddress }])
    clearSessionCookie(c, { secure: cookieShouldBeSecure(c, deps.secureCookies) })
    return c.body(null, 204)
  })

  return app
}
