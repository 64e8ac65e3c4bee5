import type { MiddlewareHandler } from 'hono'

/**
 * `Cache-Control: no-store` on every answer that did not choose its own
 * (API answers and errors: metadata and CSRF tokens must not sit in a
 * browser or proxy cache). The UI routes set theirs.
 */
export function noStoreByDefault(): MiddlewareHandler {
  return async function noStoreByDefault(c, next) {
    await next()
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store')
  }
}
