import type { MiddlewareHandler } from 'hono'
import type { SessionService } from '../../operators/session.service.ts'
import type { DatabaseGeneration } from '../../store/database-generation.ts'
import type { AppEnv } from '../app-env.ts'
import { unauthenticated } from '../http-error.ts'
import { readSessionCookie } from '../session-cookie.ts'
import { type GuardOptions, MUTATING_METHODS, mutationCheck } from './guard-mutating.ts'

/** What the gate of an operator route is made of. */
export interface SessionGateOptions {
  /** The database generation (src/store/database-generation.ts): what may be served from cache. */
  generation: DatabaseGeneration
  sessions: SessionService
  /** 401 `unauthenticated` unless the cookie names a live session (every route but `/session`). */
  requireSession: boolean
  /** guardMutating's options (guard-mutating.ts). */
  guard: GuardOptions
}

/**
 * The operator routes' gate, in this order, as one middleware (each step
 * used to be one, and every middleware is a promise and a closure more of
 * every request):
 *
 * 1. the database generation into `c.var.generation` as the request starts,
 *    bumped once a mutating request is over, whatever its outcome (the bump
 *    comes after any commit the request made, so nothing cached before it
 *    is served again);
 * 2. the session cookie resolved into `c.var.session` (undefined when there
 *    is no live session): nothing without a cookie; otherwise the session
 *    cache, read again when the generation moved (SessionService.resolve);
 * 3. with `requireSession`: 401 `unauthenticated` without a live session;
 * 4. guardMutating's checks (guard-mutating.ts) on POST, PUT, PATCH, DELETE.
 */
export function sessionGate(options: SessionGateOptions): MiddlewareHandler<AppEnv> {
  const { generation, sessions, requireSession } = options
  const checkMutation = mutationCheck(options.guard)
  return async function sessionGate(c, next) {
    const current = await generation.current()
    c.set('generation', current)
    const mutating = MUTATING_METHODS.has(c.req.method)
    try {
      const token = readSessionCookie(c)
      const session = token === undefined ? undefined : await sessions.resolve(token, current)
      c.set('session', session)
      if (requireSession && !session) throw unauthenticated()
      checkMutation(c, session)
      await next()
    } finally {
      if (mutating) generation.bump()
    }
  }
}
