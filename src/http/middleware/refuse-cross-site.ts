import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { csrfFailed } from '../http-error.ts'
import type { GuardOptions } from './guard-mutating.ts'
import { isCrossSite } from './is-cross-site.ts'

/**
 * The cross-site half of guardMutating (guard-mutating.ts) alone, for the login (no session, so
 * no token yet): a page on another site must not log a browser in.
 */
export function refuseCrossSite(options: Pick<GuardOptions, 'trustedOrigins'> = {}): MiddlewareHandler<AppEnv> {
  const trusted = [...(options.trustedOrigins ?? [])]
  return async function refuseCrossSite(c, next) {
    if (isCrossSite(c, trusted)) throw csrfFailed('cross-site request refused')
    return next()
  }
}
