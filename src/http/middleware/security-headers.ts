import type { MiddlewareHandler } from 'hono'

/**
 * The Content-Security-Policy of every answer. The UI is files only (no
 * inline script or style, scripts/build-web.ts), so `'self'` is all it needs;
 * nothing may frame any page, and forms and `<base>` cannot point elsewhere.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
}

/**
 * What Hono's secure-headers sets with this app's options
 * (`secureHeaders({ contentSecurityPolicy: CONTENT_SECURITY_POLICY,
 * xFrameOptions: 'DENY', referrerPolicy: 'no-referrer', xContentTypeOptions:
 * 'nosniff' })`), written out: test/http/middleware/security-headers.test.ts
 * holds the two equal, header for header. Written out so that an answer can
 * be built with all of them at once (below): Hono's middleware sets them one
 * by one on every answer, about 3 us of a request under load.
 */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = Object.freeze([
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'DENY'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
  [
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  ],
] as const)

/** `Cache-Control` of every answer that does not choose its own. */
export const NO_STORE = 'no-store'

// Answers built by appAnswer: they carry every header above already.
const complete = new WeakSet<Response>()

/**
 * An answer with the app's headers in it from the start (SECURITY_HEADERS,
 * `Cache-Control: no-store`, and `Content-Type`), copied from one prebuilt
 * Headers per content type: {@link appHeaders} then has nothing to add. For
 * the answers served most (the list, the session, /healthz).
 */
export function appAnswer(body: BodyInit | null, status: number, contentType: string): Response {
  let headers = prebuilt.get(contentType)
  if (!headers) {
    headers = new Headers([...SECURITY_HEADERS, ['Cache-Control', NO_STORE], ['Content-Type', contentType]] as Array<[string, string]>)
    prebuilt.set(contentType, headers)
  }
  const res = new Response(body, { status, headers })
  complete.add(res)
  return res
}
const prebuilt = new Map<string, Headers>()

/**
 * On every response (errors and 404s included): the CSP above,
 * `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`,
 * `Referrer-Policy: no-referrer`, COOP and CORP same-origin and the rest of
 * Hono's secure-headers defaults ({@link SECURITY_HEADERS}, overwriting what
 * a route set), no `X-Powered-By`; and `Cache-Control: no-store` when the
 * answer did not choose its own (API answers and errors: metadata and CSRF
 * tokens must not sit in a browser or proxy cache; the UI routes set
 * theirs). An answer built by {@link appAnswer} has them all already.
 */
export function appHeaders(): MiddlewareHandler {
  return async function appHeaders(c, next) {
    await next()
    completeAppHeaders(c.res)
  }
}

/**
 * What {@link appHeaders} does to an answer, for a middleware that runs it
 * itself (the request log, app.ts: one middleware less on every request).
 */
export function completeAppHeaders(res: Response): void {
  if (complete.has(res)) return
  const headers = res.headers
  for (const [name, value] of SECURITY_HEADERS) headers.set(name, value)
  headers.delete('X-Powered-By')
  if (!headers.has('Cache-Control')) headers.set('Cache-Control', NO_STORE)
}
