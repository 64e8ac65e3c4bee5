import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { unauthenticated } from '../http-error.ts'

/** 401 `unauthenticated` unless `c.var.session` holds a live session (set by loadSession, load-session.ts). */
export function requireSession(): MiddlewareHandler<AppEnv> {
  return async function requireSession(c, next) {
    if (!c.get('session')) throw unauthenticated()
    return next()
  }
}
