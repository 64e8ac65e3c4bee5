import type { MiddlewareHandler } from 'hono'
import { NAME_PATTERN } from '../secrets/validation.ts'
import type { AppLogger } from './app-logger.ts'

const MAX_PATH_CHARS = 300
// Control characters and DEL: a crafted path must not forge or split a log line.
const CONTROL = /[\u0000-\u001f\u007f]/g

// Path segments the app's routes are made of, and the content-hashed names of the UI build.
const ROUTE_WORDS = new Set(['', 'healthz', 'session', 'secrets', 'access-log', 'rotate', 'settings', 'assets', 'clients', 'tokens', 'render', 'resolve'])
const ASSET_NAME = /^[a-z][a-z0-9_-]*-[a-z0-9]{8}\.[a-z0-9]+$/
/** What stands in the log for a segment that is neither a route word, a secret name nor an asset. */
export const REDACTED_SEGMENT = '<redacted>'

/**
 * The path as it may appear in a log line. A segment that is not a route
 * word, a well-formed secret name or a UI asset name is replaced by
 * `<redacted>`: a client that put a value where a name goes
 * (`GET /secrets/ghp_…`) must not leave it in the log
 * (test/hardening/leak-scan.test.ts).
 */
export function loggablePath(path: string): string {
  const kept = path
    .split('/')
    .map((segment) => (ROUTE_WORDS.has(segment) || NAME_PATTERN.test(segment) || ASSET_NAME.test(segment) ? segment : REDACTED_SEGMENT))
    .join('/')
  const clean = kept.replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
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
