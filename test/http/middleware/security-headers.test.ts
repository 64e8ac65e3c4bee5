import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
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
]

describe('security headers on every response', () => {
  for (const [label, send] of REQUESTS) {
    test(label, async () => {
      const res = await send()
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
