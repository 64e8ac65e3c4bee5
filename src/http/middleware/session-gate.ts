import type { Context, MiddlewareHandler, Next } from 'hono'
import type { ActiveSession, SessionService } from '../../operators/session.service.ts'
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
  const admit = (c: Context<AppEnv>, next: Next, session: ActiveSession | undefined) => {
    c.set('session', session)
    if (requireSession && !session) throw unauthenticated()
    checkMutation(c, session)
    return next()
  }
  const mutatingGate = async (c: Context<AppEnv>, next: Next) => {
    const current = await generation.current()
    c.set('generation', current)
    try {
      const token = readSessionCookie(c)
      await admit(c, next, token === undefined ? undefined : await sessions.resolve(token, current))
    } finally {
      generation.bump()
    }
  }
  const readingGate = async (c: Context<AppEnv>, next: Next, pending: Promise<string | undefined>) => {
    const current = await pending
    c.set('generation', current)
    const token = readSessionCookie(c)
    return admit(c, next, token === undefined ? undefined : await sessions.resolve(token, current))
  }
  // Not an async function: with the generation and the session known now (SQLite, a cached session), a
  // request that changes nothing goes on to the route in the same turn, without a promise of the gate's own.
  return function sessionGate(c, next) {
    if (MUTATING_METHODS.has(c.req.method)) return mutatingGate(c, next)
    const current = generation.current()
    if (current instanceof Promise) return readingGate(c, next, current)
    c.set('generation', current)
    const token = readSessionCookie(c)
    const session = token === undefined ? undefined : sessions.resolve(token, current)
    return session instanceof Promise ? session.then((s) => admit(c, next, s)) : admit(c, next, session)
  }
}
