/** One line of the request log: never a path, a body, a cookie, a header or a query string. */
export interface RequestLogEntry {
  method: string
  /** The route pattern the request matched (`/secrets/:name`), or `<unmatched>` (middleware/request-log.ts). */
  route: string
  status: number
  /** Milliseconds from the request entering the app to its answer being ready. */
  ms: number
  /** The server's id of the request, also in the answer's `X-Request-Id` (never one the client chose). */
  requestId?: string | undefined
  /** The operator of the session, when the request had a live one. */
  operator?: string | undefined
  /** The client of the bearer token, when the request had a valid one. */
  client?: string | undefined
  /** The peer's address, as the server adapter gave it (left out when it has another shape). */
  address?: string | undefined
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
  error(where: string, error: unknown, requestId?: string): void
  /** A server event (`listening`, `stopping`) with fields of the server's own (never a client's input). */
  info?(message: string, fields?: Record<string, string | number>): void
}

// What an address may look like to be written: IPv4, IPv6 (with a zone), nothing a client could shape.
const ADDRESS = /^[0-9A-Za-z.:%_-]{1,64}$/

/** The address when it has an address's shape, else undefined. */
export function loggableAddress(address: string | undefined): string | undefined {
  return address !== undefined && ADDRESS.test(address) ? address : undefined
}

function errorDetail(error: unknown): string {
  // A string is a line this program wrote itself (health-routes: where the store is and why, never a password).
  if (typeof error === 'string') return error
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : typeof error
}

/**
 * The text logger (on a terminal, or `LOG_FORMAT=text`): one line per
 * request, `http GET /secrets/:name 200 1.4ms req=… operator=alice from=127.0.0.1`,
 * and errors with their stack. Writes to standard output by default.
 */
export function consoleLogger(write: (line: string) => void = (line) => process.stdout.write(line)): AppLogger {
  return {
    request(e) {
      const who = e.operator !== undefined ? ` operator=${e.operator}` : e.client !== undefined ? ` client=${e.client}` : ''
      const address = loggableAddress(e.address)
      const tail = `${e.requestId === undefined ? '' : ` req=${e.requestId}`}${who}${address === undefined ? '' : ` from=${address}`}`
      write(`http ${e.method} ${e.route} ${e.status} ${e.ms.toFixed(1)}ms${tail}\n`)
    },
    error(where, error, requestId) {
      write(`http error in ${where}${requestId === undefined ? '' : ` (req=${requestId})`}: ${errorDetail(error)}\n`)
    },
    // No info lines: on a terminal, `serve` says what it does on stderr already.
  }
}

/**
 * The time as `toISOString` writes it, made once per millisecond: a busy
 * server logs many requests in one.
 */
function isoClock(): () => string {
  let ms = Number.NaN
  let text = ''
  return () => {
    const t = Date.now()
    if (t !== ms) {
      ms = t
      text = new Date(t).toISOString()
    }
    return text
  }
}

/**
 * The JSON-lines logger (standard output not a terminal, or
 * `LOG_FORMAT=json`): one JSON object a line, with `time`, `level`, `msg`
 * and, for a request, `request_id`, `method`, `route`, `status`,
 * `duration_ms`, `operator` or `client`, `client_address`. JSON escapes
 * every control character, so nothing can split a line.
 *
 * @param now the clock, for tests (default: the system clock, its text made once a millisecond).
 */
export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(line), now?: () => Date): AppLogger {
  const time = now === undefined ? isoClock() : () => now().toISOString()
  const quote = quoter()
  const line = (fields: Record<string, unknown>) => write(`${JSON.stringify({ time: time(), ...fields })}\n`)
  return {
    // The request line, once per request, is built as text: the same bytes as
    // JSON.stringify of { time, level, msg, request_id, method, route, status,
    // duration_ms, operator?, client?, client_address? } (log-format.test.ts
    // holds them equal), without an object and its spreads per request. Every
    // string goes through JSON.stringify.
    request(e) {
      const level = e.status >= 500 ? 'error' : e.status >= 400 ? 'warn' : 'info'
      let text = `{"time":"${time()}","level":"${level}","msg":"request"`
      if (e.requestId !== undefined) text += `,"request_id":${UUID.test(e.requestId) ? `"${e.requestId}"` : JSON.stringify(e.requestId)}`
      text += `,"method":${quote(e.method)},"route":${quote(e.route)},"status":${jsonNumber(e.status)},"duration_ms":${jsonNumber(Math.round(e.ms * 10) / 10)}`
      if (e.operator !== undefined) text += `,"operator":${quote(e.operator)}`
      if (e.client !== undefined) text += `,"client":${quote(e.client)}`
      // An address that passed loggableAddress has no character JSON escapes.
      const address = loggableAddress(e.address)
      if (address !== undefined) text += `,"client_address":"${address}"`
      write(`${text}}\n`)
    },
    error(where, error, requestId) {
      const detail =
        error instanceof Error
          ? { name: error.name, message: error.message, stack: error.stack }
          : typeof error === 'string'
            ? { message: error } // a line this program wrote itself (where the store is and why)
            : { type: typeof error }
      line({ level: 'error', msg: 'unexpected error', ...(requestId === undefined ? {} : { request_id: requestId }), where, error: detail })
    },
    info(message, fields = {}) {
      line({ level: 'info', msg: message, ...fields })
    },
  }
}

// A request id as crypto.randomUUID writes it: nothing JSON escapes.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** Most strings a logger keeps quoted (methods, route patterns, operator and client names: a few dozen in practice). */
const MAX_QUOTED = 256

/** JSON.stringify of a string, kept for the strings that come back on every request. */
function quoter(): (text: string) => string {
  const quoted = new Map<string, string>()
  return (text) => {
    let q = quoted.get(text)
    if (q === undefined) {
      q = JSON.stringify(text)
      if (quoted.size >= MAX_QUOTED) quoted.clear()
      quoted.set(text, q)
    }
    return q
  }
}

/** A number as JSON.stringify writes it (null for NaN and the infinities). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null'
}
