/** One line of the request log: never a path, a body, a cookie, a header or a query string. */
export interface RequestLogEntry {
  method: string
  /** The route pattern the request matched (`/secrets/:name`), or `<unmatched>` (middleware/request-log.ts). */
  route: string
  status: number
  /** Milliseconds from the request entering the app to its answer being ready. */
  ms: number
}

/** Where the app writes. Tests pass one that records. */
export interface AppLogger {
  /** One call per request. */
  request(entry: RequestLogEntry): void
  /**
   * An unexpected error (answered with a generic 500). `where` is `METHOD
   * route` (the route pattern, as in the request log); the error's name, message and stack are logged, never the request
   * body, its headers or its query string.
   */
  error(where: string, error: unknown): void
}

/**
 * The default logger: one line per request on stderr,
 * `http GET /secrets/:name 200 1.4ms`, and errors with their stack.
 */
export function consoleLogger(write: (line: string) => void = (line) => process.stderr.write(line)): AppLogger {
  return {
    request: (e) => write(`http ${e.method} ${e.route} ${e.status} ${e.ms.toFixed(1)}ms\n`),
    error(where, error) {
      const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : typeof error
      write(`http error in ${where}: ${detail}\n`)
    },
  }
}
