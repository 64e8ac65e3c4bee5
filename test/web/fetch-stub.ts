/**
 * A recording fetch for UI tests: routes answer with canned JSON, and every
 * request is kept (method, path, headers, parsed body) so a test can assert
 * exactly what the UI sent. Responses are built with the runtime's own
 * Response class, not happy-dom's.
 */
import { NativeResponse } from './dom.ts'

/** One request as the UI sent it. */
export interface RecordedRequest {
  method: string
  /** path and query, e.g. `/secrets/FOO/access-log?cursor=abc` */
  path: string
  headers: Record<string, string>
  credentials: RequestCredentials | undefined
  /** the raw body text, exactly as sent */
  rawBody: string | undefined
  /** JSON.parse of rawBody, or undefined without a body */
  body: unknown
}

/** What a route answers. */
export interface StubReply {
  status?: number
  json?: unknown
  headers?: Record<string, string>
}

type Responder = StubReply | ((request: RecordedRequest) => StubReply | Promise<StubReply>)

interface Route {
  method: string
  path: string | RegExp
  responder: Responder
  once: boolean
}

/** A fetch stub plus its routes and the log of requests. */
export interface FetchStub {
  fetch: (input: string, init: RequestInit) => Promise<Response>
  requests: RecordedRequest[]
  /** Answers every matching request (the newest route wins over older ones). */
  on(method: string, path: string | RegExp, responder: Responder): FetchStub
  /** Answers the next matching request only. */
  once(method: string, path: string | RegExp, responder: Responder): FetchStub
  /** The POST, PUT and DELETE requests, in order. */
  mutations(): RecordedRequest[]
}

/** A JSON error body as the server writes it. */
export function errorReply(
  status: number,
  code: string,
  message: string,
  extra: { field?: string; current_version?: number; headers?: Record<string, string> } = {},
): StubReply {
  const error: Record<string, string | number> = { code, message }
  if (extra.field) error.field = extra.field
  if (extra.current_version !== undefined) error.current_version = extra.current_version
  return { status, json: { error }, headers: extra.headers ?? {} }
}

/** Builds an empty stub; unmatched requests get the server's 404 body. */
export function createFetchStub(): FetchStub {
  const routes: Route[] = []
  const requests: RecordedRequest[] = []

  function matches(route: Route, method: string, path: string) {
    if (route.method !== method) return false
    return typeof route.path === 'string' ? route.path === path : route.path.test(path)
  }

  const stub: FetchStub = {
    requests,
    async fetch(input, init) {
      const method = (init.method ?? 'GET').toUpperCase()
      const headers: Record<string, string> = {}
      for (const [key, value] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[key.toLowerCase()] = value
      const rawBody = typeof init.body === 'string' ? init.body : undefined
      const recorded: RecordedRequest = {
        method,
        path: input,
        headers,
        credentials: init.credentials,
        rawBody,
        body: rawBody === undefined ? undefined : JSON.parse(rawBody),
      }
      requests.push(recorded)

      // Newest first, so a test can override a default route.
      let index = routes.length - 1
      while (index >= 0 && !matches(routes[index]!, method, input)) index--
      const route = routes[index]
      const reply: StubReply = route
        ? typeof route.responder === 'function'
          ? await route.responder(recorded)
          : route.responder
        : errorReply(404, 'not_found', 'no such route')
      if (route?.once) routes.splice(index, 1)

      const status = reply.status ?? 200
      // A plain object, not `new Headers`: under happy-dom that would be happy-dom's class.
      const responseHeaders: Record<string, string> = { ...reply.headers }
      if (reply.json !== undefined) responseHeaders['Content-Type'] = 'application/json'
      return new NativeResponse(reply.json === undefined ? null : JSON.stringify(reply.json), { status, headers: responseHeaders })
    },
    on(method, path, responder) {
      routes.push({ method, path, responder, once: false })
      return stub
    },
    once(method, path, responder) {
      routes.push({ method, path, responder, once: true })
      return stub
    },
    mutations() {
      return requests.filter((r) => r.method !== 'GET')
    },
  }
  return stub
}

/** A promise with its resolve exposed, to hold a reply back while a test looks at the busy state. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}
