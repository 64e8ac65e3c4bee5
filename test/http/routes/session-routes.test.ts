import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { OperatorService } from '../../../src/operators/operator.service.ts'
import { operatorDb } from '../../../src/operators/operator.table.ts'
import { hashSessionToken } from '../../../src/operators/session-token.ts'
import { DEFAULT_SESSION_POLICY } from '../../../src/operators/session.service.ts'
import { describeEachDialect } from '../../helpers/databases.ts'
import { bodyOf, errorOf, FAST_SCRYPT, type Harness, harness, jsonInit, ALICE, BOB } from '../harness.ts'

describeEachDialect('/session', (dialect) => {
  let h: Harness

  beforeEach(async () => {
    h = await harness({}, dialect)
  })
  afterEach(() => h.close())

  const sessionRows = () => operatorDb(h.ctx.store.db).selectFrom('operator_session').selectAll().execute()

  function cookieAttributes(setCookie: string | null): { name: string; value: string; attrs: string[] } {
    const [pair, ...attrs] = setCookie!.split(';').map((s) => s.trim())
    const [name, value] = pair!.split('=') as [string, string]
    return { name, value, attrs }
  }

  describe('POST /session', () => {
    test('200 {username, csrf_token} and an HttpOnly, SameSite=Strict, Path=/ session cookie (no Secure over http)', async () => {
      const res = await h.request('/session', jsonInit('POST', ALICE))
      expect(res.status).toBe(200)
      const body = (await res.json()) as Record<string, string>
      expect(Object.keys(body).sort()).toEqual(['absolute_expires_at', 'csrf_token', 'expires_at', 'idle_timeout_seconds', 'username'])
      expect(body.username).toBe('alice')
      expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      const cookie = cookieAttributes(res.headers.get('Set-Cookie'))
      expect(cookie.name).toBe('secrets_session')
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(cookie.value).not.toBe(body.csrf_token)
      expect(cookie.attrs.sort()).toEqual(['HttpOnly', `Max-Age=${DEFAULT_SESSION_POLICY.absoluteMs / 1000}`, 'Path=/', 'SameSite=Strict'])
      expect(res.headers.get('Cache-Control')).toBe('no-store')
    })

    test('the database keeps only the SHA-256 of the token', async () => {
      const res = await h.request('/session', jsonInit('POST', ALICE))
      const token = cookieAttributes(res.headers.get('Set-Cookie')).value
      const rows = await sessionRows()
      expect(rows.map((r) => r.token_hash)).toEqual([hashSessionToken(token)])
      expect(JSON.stringify(rows)).not.toContain(token)
    })

    test('Secure when the request came over HTTPS', async () => {
      const res = await h.request('https://localhost/session', jsonInit('POST', ALICE, { Origin: 'https://localhost' }))
      expect(res.status).toBe(200)
      expect(cookieAttributes(res.headers.get('Set-Cookie')).attrs).toContain('Secure')
    })

    test('Secure over plain HTTP when secureCookies says so (TLS ends at a proxy)', async () => {
      const proxied = await harness({ secureCookies: true }, dialect)
      try {
        const res = await proxied.request('/session', jsonInit('POST', ALICE))
        expect(cookieAttributes(res.headers.get('Set-Cookie')).attrs).toContain('Secure')
      } finally {
        await proxied.close()
      }
    })

    test('a wrong password and an unknown username get the same 401, no cookie, no session', async () => {
      const wrongPassword = await h.request('/session', jsonInit('POST', { username: 'alice', password: 'SENTINEL-wrong-password' }))
      const unknownUser = await h.request('/session', jsonInit('POST', { username: 'mallory', password: 'SENTINEL-wrong-password' }))
      for (const res of [wrongPassword, unknownUser]) {
        expect(res.status).toBe(401)
        expect(res.headers.get('Set-Cookie')).toBeNull()
      }
      const [a, b] = [await wrongPassword.text(), await unknownUser.text()]
      expect(a).toBe(b)
      expect(JSON.parse(a)).toEqual({ error: { code: 'unauthenticated', message: 'wrong username or password' } })
      expect(await sessionRows()).toEqual([])
      for (const body of h.bodies) expect(body).not.toContain('SENTINEL')
    })

    test('usernames are exact: ALICE is not alice', async () => {
      expect((await h.request('/session', jsonInit('POST', { ...ALICE, username: 'ALICE' }))).status).toBe(401)
    })

    test('a password of 1024 characters outside the BMP logs in: the limit counts characters, as setting it does', async () => {
      const password = '\u{1F600}'.repeat(600)
      const operators = new OperatorService({ db: h.ctx.store.db, passwordParams: FAST_SCRYPT })
      await operators.add('emoji', password)
      expect((await h.request('/session', jsonInit('POST', { username: 'emoji', password }))).status).toBe(200)
      const over = await h.request('/session', jsonInit('POST', { username: 'emoji', password: '\u{1F600}'.repeat(1025) }))
      expect(over.status).toBe(400)
      expect(await errorOf(over)).toMatchObject({ code: 'validation_error', field: 'password', message: 'password must be at most 1024 characters' })
    })

    const badBodies: Array<[string, unknown, string]> = [
      ['a missing password', { username: 'alice' }, 'password'],
      ['a missing username', { password: 'x' }, 'username'],
      ['a numeric password', { username: 'alice', password: 12345678901234 }, 'password'],
      ['an empty username', { username: '', password: 'x' }, 'username'],
      ['an extra field', { username: 'alice', password: 'x', remember: true }, 'remember'],
    ]
    for (const [label, body, field] of badBodies) {
      test(`${label}: 400 naming ${field}`, async () => {
        const res = await h.request('/session', jsonInit('POST', body))
        expect(res.status).toBe(400)
        expect(await errorOf(res)).toMatchObject({ code: 'validation_error', field })
      })
    }

    test('logging in again from a browser that holds a session replaces that session', async () => {
      const first = await h.login()
      const res = await h.request('/session', jsonInit('POST', ALICE, { Cookie: first.cookie }))
      expect(res.status).toBe(200)
      expect(await sessionRows()).toHaveLength(1)
      expect((await h.request('/session', { headers: { Cookie: first.cookie } })).status).toBe(401)
    })

    test('records the login time on the operator', async () => {
      h.clock.tick(42_000)
      await h.login()
      expect((await h.operators.list()).find((o) => o.username === 'alice')!.last_login_at).toBe('2026-01-01T00:00:42.000Z')
    })
  })

  describe('GET /session', () => {
    test('200 with the username and the same CSRF token (the UI gets it back after a reload)', async () => {
      const s = await h.login()
      const res = await h.request('/session', { headers: { Cookie: s.cookie } })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({
        username: 'alice',
        csrf_token: s.csrf,
        expires_at: '2026-01-01T00:30:00.000Z',
        absolute_expires_at: '2026-01-01T12:00:00.000Z',
        idle_timeout_seconds: 1800,
      })
    })

    test('expires_at follows use: the idle expiry moves on with each request, never past the absolute one', async () => {
      const s = await h.login()
      const expiry = async () => ((await (await h.request('/session', { headers: { Cookie: s.cookie } })).json()) as { expires_at: string }).expires_at
      h.clock.tick(10 * 60_000)
      expect(await expiry()).toBe('2026-01-01T00:40:00.000Z')
      // Used every 25 minutes until near the end of the 12 hours: capped by the absolute expiry.
      for (let i = 0; i < 28; i++) {
        h.clock.tick(25 * 60_000)
        await expiry()
      }
      h.clock.tick(5 * 60_000)
      expect(await expiry()).toBe('2026-01-01T12:00:00.000Z')
    })

    test('401 without a cookie, with a garbage cookie, or with a forged well-formed one', async () => {
      for (const cookie of [undefined, 'secrets_session=garbage', `secrets_session=${'A'.repeat(43)}`]) {
        const res = await h.request('/session', { headers: cookie ? { Cookie: cookie } : {} })
        expect(res.status).toBe(401)
        expect(await bodyOf(res)).toEqual({ error: { code: 'unauthenticated', message: 'log in first: no valid session' } })
      }
    })

    test('two operators hold separate sessions with separate CSRF tokens', async () => {
      const a = await h.login(ALICE)
      const b = await h.login(BOB)
      expect(a.csrf).not.toBe(b.csrf)
      expect(await (await h.request('/session', { headers: { Cookie: b.cookie } })).json()).toMatchObject({ username: 'bob' })
    })
  })

  describe('DELETE /session', () => {
    test('204, deletes the row, and clears the cookie; the old cookie is dead', async () => {
      const s = await h.login()
      const other = await h.login(BOB)
      const res = await h.as(s, 'DELETE', '/session')
      expect(res.status).toBe(204)
      const cleared = cookieAttributes(res.headers.get('Set-Cookie'))
      expect(cleared.name).toBe('secrets_session')
      expect(cleared.value).toBe('')
      expect(cleared.attrs).toContain('Max-Age=0')
      expect((await sessionRows()).map((r) => r.username)).toEqual(['bob'])
      expect((await h.request('/session', { headers: { Cookie: s.cookie } })).status).toBe(401)
      expect((await h.as(s, 'GET', '/secrets')).status).toBe(401)
      expect((await h.as(other, 'GET', '/secrets')).status).toBe(200)
    })
  })

  describe('session expiry (through the app, with the injected clock)', () => {
    test('idle: 30 minutes without a request ends the session', async () => {
      const s = await h.login()
      h.clock.tick(29 * 60_000)
      expect((await h.as(s, 'GET', '/secrets')).status).toBe(200)
      h.clock.tick(29 * 60_000)
      expect((await h.as(s, 'GET', '/secrets')).status).toBe(200)
      h.clock.tick(30 * 60_000)
      expect((await h.as(s, 'GET', '/secrets')).status).toBe(401)
      expect(await sessionRows()).toEqual([])
    })

    test('absolute: 12 hours after login the session ends, however busy', async () => {
      const s = await h.login()
      for (let i = 0; i < 12 * 3 - 1; i++) {
        h.clock.tick(20 * 60_000)
        expect((await h.as(s, 'GET', '/secrets')).status).toBe(200)
      }
      h.clock.tick(20 * 60_000)
      const res = await h.as(s, 'GET', '/secrets')
      expect(res.status).toBe(401)
      expect((await h.as(s, 'POST', '/secrets', { name: 'LATE', value: 'x' })).status).toBe(401)
    })

    test('a shorter policy from createApp options applies', async () => {
      const quick = await harness({ sessionPolicy: { idleMs: 5_000 } }, dialect)
      try {
        const s = await quick.login()
        quick.clock.tick(5_000)
        expect((await quick.as(s, 'GET', '/session')).status).toBe(401)
      } finally {
        await quick.close()
      }
    })

    test('removing the operator ends their sessions at once', async () => {
      const s = await h.login()
      await h.operators.remove('alice')
      expect((await h.as(s, 'GET', '/secrets')).status).toBe(401)
    })
  })
})
