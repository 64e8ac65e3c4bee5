import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { AppEnv } from '../app-env.ts'
import type { AppLogger } from '../app-logger.ts'

/** What the log says for a request no route matched (a 404, or a refusal before routing). */
export const UNMATCHED_ROUTE = '<unmatched>'

/**
 * The route pattern a request matched (`/secrets/:name`), or
 * `<unmatched>`: never the request's own path, so whatever a client put
 * there (a value where a name goes, control characters) stays out of the
 * log. Middleware (`app.use`, method `ALL`) is not a route; the last
 * matching route is the one that answers.
 */
export function routeOf(c: Context): string {
  const routes = matchedRoutes(c)
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!
    if (route.method !== 'ALL') return route.path
  }
  return UNMATCHED_ROUTE
}

/**
 * Logs one entry per request once its answer is ready: method, route
 * pattern ({@link routeOf}), status, milliseconds, the request id, the
 * operator or client the request was authenticated as, and the peer's
 * address. Registered first, so it sees the status the error handler chose.
 * Gives every request an id of the server's own (`c.var.requestId`, and the
 * answer's `X-Request-Id`): one a client sends is not taken, so nothing a
 * client chose reaches the log.
 *
 * @param answered also told of every answer (the request metrics,
 *   metrics/app-metrics.ts): the same route and duration, found once.
 * @param finish runs on every answer before it is logged, as a middleware
 *   inside this one would (app.ts: the app's headers, completeAppHeaders;
 *   each middleware is two promises more of every request).
 */
export function requestLog(
  logger: AppLogger,
  answered?: (method: string, route: string, status: number, ms: number) => void,
  finish?: (res: Response) => void,
): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const start = performance.now()
    const requestId = crypto.randomUUID()
    c.set('requestId', requestId)
    await next()
    finish?.(c.res)
    const ms = performance.now() - start
    c.res.headers.set('X-Request-Id', requestId)
    const method = c.req.method
    const route = routeOf(c)
    const status = c.res.status
    answered?.(method, route, status, ms)
    logger.request({
      method,
      route,
      status,
      ms,
      requestId,
      operator: c.get('session')?.username,
      client: c.get('client')?.client,
      address: c.env?.remoteAddress,
    })
  }
}
