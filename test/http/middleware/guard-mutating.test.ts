import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { describeEachDialect } from '../../helpers/databases.ts'
import { bodyOf, errorOf, type Harness, harness, jsonInit, type Login, ALICE, BOB } from '../harness.ts'

/**
 * Every route under every kind of caller: no session, a session without the
 * CSRF header, with another session's token, from another site, and as the
 * UI calls it. Refused mutations must leave the database as it was.
 */
interface RouteCase {
  method: string
  path: string
  body?: unknown
  ok: number
}

const ROUTES: RouteCase[] = [
  { method: 'GET', path: '/secrets', ok: 200 },
  { method: 'GET', path: '/secrets/EXISTING', ok: 200 },
  { method: 'GET', path: '/secrets/EXISTING/access-log', ok: 200 },
  { method: 'POST', path: '/secrets', body: { name: 'NEW_ONE', value: 'SENTINEL-new' }, ok: 201 },
  { method: 'PUT', path: '/secrets/EXISTING', body: { value: 'SENTINEL-replaced' }, ok: 200 },
  { method: 'DELETE', path: '/secrets/EXISTING', ok: 204 },
  { method: 'POST', path: '/secrets/EXISTING/rotate', ok: 200 },
  { method: 'GET', path: '/session', ok: 200 },
  { method: 'DELETE', path: '/session', ok: 204 },
]

const mutating = (r: RouteCase) => r.method !== 'GET'

type Mode = 'no session' | 'no CSRF token' | 'wrong CSRF token' | 'cross-site Origin' | 'Sec-Fetch-Site: cross-site' | 'Origin: null' | 'valid'

const MODES: Mode[] = ['no session', 'no CSRF token', 'wrong CSRF token', 'cross-site Origin', 'Sec-Fetch-Site: cross-site', 'Origin: null', 'valid']

describeEachDialect('guardMutating', (dialect) => {
  let h: Harness
  let alice: Login
  let bob: Login

  beforeEach(async () => {
    h = await harness({}, dialect)
    alice = await h.login(ALICE)
    bob = await h.login(BOB)
    const created = await h.as(alice, 'POST', '/secrets', { name: 'EXISTING', value: 'SENTINEL-existing' })
    expect(created.status).toBe(201)
  })
  afterEach(() => h.close())

  function send(route: RouteCase, mode: Mode): Promise<Response> {
    const headers: Record<string, string> = {}
    if (mode !== 'no session') headers.Cookie = alice.cookie
    if (mode === 'wrong CSRF token') headers['X-CSRF-Token'] = bob.csrf
    else if (mode === 'no session') headers['X-CSRF-Token'] = alice.csrf
    else if (mode !== 'no CSRF token') headers['X-CSRF-Token'] = alice.csrf
    if (mode === 'cross-site Origin') headers.Origin = 'https://evil.example'
    if (mode === 'Sec-Fetch-Site: cross-site') headers['Sec-Fetch-Site'] = 'cross-site'
    if (mode === 'Origin: null') headers.Origin = 'null'
    if (route.body !== undefined) headers['Content-Type'] = 'application/json'
    return h.request(route.path, {
      method: route.method,
      headers,
      body: route.body === undefined ? undefined : JSON.stringify(route.body),
    })
  }

  function expected(route: RouteCase, mode: Mode): { status: number; code?: string } {
    if (mode === 'no session') return { status: 401, code: 'unauthenticated' }
    if (mode === 'valid' || !mutating(route)) return { status: route.ok }
    return { status: 403, code: 'csrf_failed' }
  }

  for (const route of ROUTES) {
    describe(`${route.method} ${route.path}`, () => {
      for (const mode of MODES) {
        const want = expected(route, mode)
        const changes = mutating(route) && want.status < 400
        test(`${mode}: ${want.status}${want.code ? ` ${want.code}` : ''}, database ${changes ? 'changed' : 'unchanged'}`, async () => {
          const before = await h.snapshot()
          const res = await send(route, mode)
          expect(res.status).toBe(want.status)
          if (want.code) {
            expect(await errorOf(res)).toMatchObject({ code: want.code })
          } else if (res.status !== 204) {
            expect(res.headers.get('Content-Type')).toStartWith('application/json')
          }
          const after = await h.snapshot()
          if (changes) expect(after).not.toEqual(before)
          else expect(after).toEqual(before)
          for (const body of h.bodies) expect(body).not.toContain('SENTINEL')
        })
      }
    })
  }

  describe('POST /session (the login: no session or token needed, but same-site only)', () => {
    test('logs in without a CSRF token', async () => {
      expect((await h.request('/session', jsonInit('POST', ALICE))).status).toBe(200)
    })

    for (const [label, headers] of [
      ['cross-site Origin', { Origin: 'https://evil.example' }],
      ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
      ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
    ] as const) {
      test(`${label}: 403 csrf_failed, no session created`, async () => {
        const before = await h.snapshot()
        const res = await h.request('/session', jsonInit('POST', ALICE, headers))
        expect(res.status).toBe(403)
        expect(res.headers.get('Set-Cookie')).toBeNull()
        expect(await bodyOf(res)).toEqual({ error: { code: 'csrf_failed', message: 'cross-site request refused' } })
        expect(await h.snapshot()).toEqual(before)
      })
    }

    test('same-origin Origin and Sec-Fetch-Site: same-origin pass', async () => {
      const res = await h.request('/session', jsonInit('POST', ALICE, { Origin: 'http://localhost', 'Sec-Fetch-Site': 'same-origin' }))
      expect(res.status).toBe(200)
    })
  })

  describe('bodies a cross-site form could send never pass', () => {
    const forms: Array<[string, string, string]> = [
      ['text/plain', 'text/plain', '{"name":"FORM_POST","value":"SENTINEL-form"}'],
      ['a urlencoded form', 'application/x-www-form-urlencoded', 'name=FORM_POST&value=SENTINEL-form'],
      ['a multipart form', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nFORM_POST\r\n--x--\r\n'],
    ]
    for (const [label, type, body] of forms) {
      test(`${label} POST without the CSRF header: 403, nothing written`, async () => {
        const before = await h.snapshot()
        const res = await h.request('/secrets', { method: 'POST', headers: { Cookie: alice.cookie, 'Content-Type': type }, body })
        expect(res.status).toBe(403)
        expect(await h.snapshot()).toEqual(before)
      })

      test(`${label} POST even with a valid session and token: 415, nothing written`, async () => {
        const before = await h.snapshot()
        const res = await h.as(alice, 'POST', '/secrets', body, { 'Content-Type': type })
        expect(res.status).toBe(415)
        expect(await bodyOf(res)).toEqual({ error: { code: 'unsupported_media_type', message: 'send the body as application/json (Content-Type: application/json)' } })
        expect(await h.snapshot()).toEqual(before)
      })

      test(`${label} login: 415, no session`, async () => {
        const res = await h.request('/session', { method: 'POST', headers: { 'Content-Type': type }, body: 'username=alice&password=correct+horse+battery' })
        expect(res.status).toBe(415)
        expect(res.headers.get('Set-Cookie')).toBeNull()
      })
    }

    test('a JSON POST without any Content-Type: 415', async () => {
      // A byte body: a string body would get text/plain from the Request constructor.
      const body = new TextEncoder().encode(JSON.stringify({ name: 'NO_TYPE', value: 'x' }))
      const res = await h.request('/secrets', { method: 'POST', headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf }, body })
      expect(res.status).toBe(415)
      expect(await bodyOf(res)).toEqual({ error: { code: 'unsupported_media_type', message: 'send the body as application/json (Content-Type: application/json)' } })
    })

    test('rotate and delete with a text/plain body: 415', async () => {
      for (const [method, path] of [
        ['POST', '/secrets/EXISTING/rotate'],
        ['DELETE', '/secrets/EXISTING'],
      ] as const) {
        const res = await h.as(alice, method, path, 'x', { 'Content-Type': 'text/plain' })
        expect(res.status).toBe(415)
      }
    })
  })

  describe('trusted origins', () => {
    test('an origin given in trustedOrigins may mutate (a reverse proxy in front)', async () => {
      const proxied = await harness({ trustedOrigins: ['https://secrets.example.org'] }, dialect)
      try {
        const s = await proxied.login()
        const res = await proxied.as(s, 'POST', '/secrets', { name: 'VIA_PROXY', value: 'x' }, { Origin: 'https://secrets.example.org' })
        expect(res.status).toBe(201)
        const other = await proxied.as(s, 'POST', '/secrets', { name: 'ELSEWHERE', value: 'x' }, { Origin: 'https://other.example.org' })
        expect(other.status).toBe(403)
      } finally {
        await proxied.close()
      }
    })
  })

  describe('methods without a route', () => {
    test('PATCH /secrets (no such route) with a session and token is 404 JSON; without a session 401', async () => {
      expect((await h.as(alice, 'PATCH', '/secrets', { description: 'x' })).status).toBe(404)
      expect((await h.request('/secrets', jsonInit('PATCH', { description: 'x' }))).status).toBe(401)
    })

    test('PATCH /secrets/{name} (the description) is guarded like every mutation: 403 without the CSRF token', async () => {
      const res = await h.request('/secrets/EXISTING', {
        method: 'PATCH',
        headers: { Cookie: alice.cookie, 'Content-Type': 'application/json' },
        body: JSON.stringify({ description: 'x' }),
      })
      expect(res.status).toBe(403)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('csrf_failed')
    })
  })
})
