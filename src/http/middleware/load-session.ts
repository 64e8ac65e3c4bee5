import type { MiddlewareHandler } from 'hono'
import type { SessionService } from '../../operators/session.service.ts'
import type { AppEnv } from '../app-env.ts'
import { readSessionCookie } from '../session-cookie.ts'

/**
 * Resolves the session cookie into `c.var.session` (undefined when there is
 * no live session). Costs nothing without a cookie; otherwise one lookup by
 * token hash, skipped while the database generation (`c.var.generation`,
 * set by trackGeneration) has not moved since the session was last read.
 */
export function loadSession(sessions: SessionService): MiddlewareHandler<AppEnv> {
  return async function loadSession(c, next) {
    const token = readSessionCookie(c)
    c.set('session', token === undefined ? undefined : await sessions.resolve(token, c.get('generation')))
    return next()
  }
}
