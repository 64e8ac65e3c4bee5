import type { Context, ErrorHandler, MiddlewareHandler, Next } from 'hono'
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

/** See {@link requestLog}. */
export interface RequestLogSteps {
  finish?: (res: Response) => void
  first?: { run: (c: Context<AppEnv>, next: Next) => unknown; onError: ErrorHandler<AppEnv> }
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
 * @param steps what runs inside this middleware as middleware of their own
 *   would (app.ts; each middleware is two promises more of every request):
 *   `finish` on every answer before it is logged (the app's headers,
 *   completeAppHeaders); `first` before the routes (the Host check and the
 *   body limit), what it throws answered by `onError` (the app's error
 *   handler, as Hono's own dispatch would).
 */
export function requestLog(logger: AppLogger, answered?: (method: string, route: string, status: number, ms: number) => void, steps: RequestLogSteps = {}): MiddlewareHandler<AppEnv> {
  const { finish, first } = steps
  return async function requestLog(c, next) {
    const start = performance.now()
    const requestId = crypto.randomUUID()
    c.set('requestId', requestId)
    if (first === undefined) await next()
    else {
      try {
        await first.run(c, next)
      } catch (e) {
        // Hono's dispatch catches an Error of each middleware (those after `first` included) at its own level; the same here.
        if (!(e instanceof Error)) throw e
        c.error = e
        c.res = await first.onError(e, c)
      }
    }
    if (finish) finish(c.res)
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
