import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { MAX_BODY_BYTES } from '../../../src/http/middleware/limit-body.ts'
import { type Harness, harness, type Login } from '../harness.ts'

let h: Harness
let alice: Login
beforeAll(async () => {
  h = await harness()
  alice = await h.login()
})
afterAll(() => h.close())

const REQUESTS: Array<[string, () => Promise<Response>]> = [
  ['GET /healthz', () => h.request('/healthz')],
  ['GET /secrets (200)', () => h.as(alice, 'GET', '/secrets')],
  ['GET /secrets (401)', () => h.request('/secrets')],
  ['GET /session', () => h.as(alice, 'GET', '/session')],
  ['POST /secrets (400)', () => h.as(alice, 'POST', '/secrets', { name: 'bad' })],
  ['GET /nope (404)', () => h.request('/nope')],
  ['GET /settings/secrets (503)', () => h.request('/settings/secrets')],
  ['GET / (302)', () => h.request('/')],
  // Refused by the checks that run inside the request log's middleware (app.ts).
  ['GET /healthz, foreign Host (421)', () => h.request('/healthz', { headers: { Host: 'rebound.example' } })],
  ['POST /session, body too large (413)', () => h.request('/session', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': String(MAX_BODY_BYTES + 1) }, body: 'x'.repeat(MAX_BODY_BYTES + 1) })],
]

describe('security headers on every response', () => {
  for (const [label, send] of REQUESTS) {
    test(label, async () => {
      const res = await send()
      const status = /\((\d{3})\)$/.exec(label)?.[1]
      expect(res.status).toBe(status === undefined ? 200 : Number(status))
      const csp = res.headers.get('Content-Security-Policy')!
      expect(csp).toStartWith("default-src 'self'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("object-src 'none'")
      expect(csp).toContain("base-uri 'none'")
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff')
      expect(res.headers.get('Referrer-Policy')).toBe('no-referrer')
      expect(res.headers.get('X-Frame-Options')).toBe('DENY')
      expect(res.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin')
      expect(res.headers.get('Cross-Origin-Resource-Policy')).toBe('same-origin')
      expect(res.headers.get('X-Powered-By')).toBeNull()
      expect(res.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/)
    })
  }
})

describe('Cache-Control: no-store on API answers, errors included', () => {
  for (const [label, send] of REQUESTS) {
    test(label, async () => {
      expect((await send()).headers.get('Cache-Control')).toBe('no-store')
    })
  }
})

describe('the written-out header list', () => {
  test("equals what Hono's secure-headers sets with the app's options, header for header", async () => {
    const { Hono } = await import('hono')
    const { secureHeaders } = await import('hono/secure-headers')
    const { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } = await import('../../../src/http/middleware/security-headers.ts')
    const hono = new Hono()
    hono.use(secureHeaders({ contentSecurityPolicy: CONTENT_SECURITY_POLICY, xFrameOptions: 'DENY', referrerPolicy: 'no-referrer', xContentTypeOptions: 'nosniff' }))
    hono.get('/', (c) => c.body(null, 204))
    const theirs = [...(await hono.request('/')).headers].sort()
    const ours = SECURITY_HEADERS.map(([k, v]) => [k.toLowerCase(), v]).sort()
    expect(ours).toEqual(theirs)
  })

  test('every answer of the hot routes carries the whole list and no-store, and answers do not share their headers', async () => {
    const { SECURITY_HEADERS } = await import('../../../src/http/middleware/security-headers.ts')
    const answers = [await h.request('/healthz'), await h.request('/healthz'), await h.as(alice, 'GET', '/secrets'), await h.as(alice, 'GET', '/session')]
    for (const res of answers) {
      for (const [name, value] of SECURITY_HEADERS) expect(res.headers.get(name)).toBe(value)
      expect(res.headers.get('Cache-Control')).toBe('no-store')
      expect(res.headers.get('Content-Type')).toBe('application/json')
    }
    // Each has its own request id: the prebuilt headers are copied, never shared.
    const ids = answers.map((r) => r.headers.get('X-Request-Id'))
    expect(new Set(ids).size).toBe(answers.length)
    expect(answers[0]!.headers.get('X-Request-Id')?.split(', ').length).toBe(1)
  })

  test('a route that chose its own Cache-Control keeps it; the security headers overwrite what a route set', async () => {
    const { Hono } = await import('hono')
    const { appHeaders, SECURITY_HEADERS } = await import('../../../src/http/middleware/security-headers.ts')
    const app = new Hono()
    app.use(appHeaders())
    app.get('/own', (c) => c.body('x', 200, { 'Cache-Control': 'public, max-age=60', 'X-Frame-Options': 'SAMEORIGIN', 'X-Powered-By': 'me' }))
    const res = await app.request('/own')
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60')
    expect(res.headers.get('X-Frame-Options')).toBe('DENY')
    expect(res.headers.get('X-Powered-By')).toBeNull()
    for (const [name, value] of SECURITY_HEADERS) expect(res.headers.get(name)).toBe(value)
  })
})
