import type { MiddlewareHandler } from 'hono'
import type { AppLogger } from './app-logger.ts'

const MAX_PATH_CHARS = 300
// Control characters and DEL: a crafted path must not forge or split a log line.
const CONTROL = /[\u0000-\u001f\u007f]/g

/** The path as it may appear in a log line. */
export function loggablePath(path: string): string {
  const clean = path.replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return clean.length > MAX_PATH_CHARS ? `${clean.slice(0, MAX_PATH_CHARS)}…` : clean
}

/**
 * Logs one entry per request once its answer is ready: method, path (no
 * query string: it may carry a cursor or anything a client put there),
 * status and milliseconds. Registered first, so it sees the status the
 * error handler chose.
 */
export function requestLog(logger: AppLogger): MiddlewareHandler {
  return async function requestLog(c, next) {
    const start = performance.now()
    await next()
    logger.request({ method: c.req.method, path: loggablePath(c.req.path), status: c.res.status, ms: performance.now() - start })
  }
}
