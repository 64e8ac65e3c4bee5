import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../app-env.ts'
import type { DatabaseGeneration } from '../../store/database-generation.ts'
import { MUTATING_METHODS } from './guard-mutating.ts'

/**
 * Puts the database generation into `c.var.generation` as the request
 * starts, and bumps it once a mutating request is over (whatever its
 * outcome: the bump comes after any commit the request made, so nothing
 * cached before it is served again).
 */
export function trackGeneration(generation: DatabaseGeneration): MiddlewareHandler<AppEnv> {
  return async function trackGeneration(c, next) {
    c.set('generation', await generation.current())
    try {
      await next()
    } finally {
      if (MUTATING_METHODS.has(c.req.method)) generation.bump()
    }
  }
}
