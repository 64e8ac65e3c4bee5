import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { ClientService } from '../../../src/clients/client.service.ts'
import { createApp } from '../../../src/http/app.ts'
import { memoryContext, tempDir } from '../../helpers/context.ts'
import { randomKey } from '../../helpers/keys.ts'
import { describeEachDialect, freshDatabase } from '../../helpers/databases.ts'
import { bodyOf, errorOf, FAST_SCRYPT, type Harness, harness, type Login, ALICE, NO_UI } from '../harness.ts'

describeEachDialect('/secrets routes', (dialect) => {
  let h: Harness
  let alice: Login

  beforeEach(async () => {
    h = await harness({}, dialect)
    alice = await h.login(ALICE)
  })
  afterEach(() => h.close())

  const SECRET_KEYS = ['name', 'description', 'created_at', 'updated_at', 'rotated_at', 'key_id', 'key_current', 'version'].sort()
  const auditRows = () => h.ctx.store.db.selectFrom('secret_access_log').selectAll().orderBy('id').execute()

  /** No answer may carry a value or any sealed column, by key or by content. */
  function expectNoSealedData(): void {
    for (const body of h.bodies) {
      expect(body).not.toContain('SENTINEL')
      expect(body).not.toMatch(/"(value|ciphertext|iv|auth_tag|plaintext)"/)
    }
  }

  describe('GET /secrets', () => {
    test('lists metadata sorted by name with the current key id; never a value', async () => {
      await h.as(alice, 'POST', '/secrets', { name: 'ZED', value: 'SENTINEL-zed', description: 'last' })
      await h.as(alice, 'POST', '/secrets', { name: 'ALPHA', value: 'SENTINEL-alpha' })
      const res = await h.as(alice, 'GET', '/secrets')
      expect(res.status).toBe(200)
      expect(res.headers.get('Cache-Control')).toBe('no-store')
      const body = (await res.json()) as { secrets: Array<Record<string, unknown>>; current_key_id: string }
      expect(Object.keys(body).sort()).toEqual(['current_key_id', 'secrets'])
      expect(body.current_key_id).toBe(h.ctx.keyring.current.id)
      expect(body.secrets.map((s) => s.name)).toEqual(['ALPHA', 'ZED'])
      for (const s of body.secrets) expect(Object.keys(s).sort()).toEqual([...SECRET_KEYS, 'last_read'].sort())
      expect(body.secrets[1]).toMatchObject({ description: 'last', key_current: true, created_at: '2026-01-01T00:00:00.000Z' })
      expectNoSealedData()
    })

    test('each entry carries last_read: the newest successful read (time and accessor), null when never read', async () => {
      await h.as(alice, 'POST', '/secrets', { name: 'READ_ME', value: 'SENTINEL-read' })
      await h.as(alice, 'POST', '/secrets', { name: 'UNREAD', value: 'SENTINEL-unread' })
      const before = (await (await h.as(alice, 'GET', '/secrets')).json()) as { secrets: Array<{ name: string; last_read: unknown }> }
      expect(before.secrets.map((s) => [s.name, s.last_read])).toEqual([['READ_ME', null], ['UNREAD', null]])

      // A client reads it over HTTP (the list cached before must not hide the read).
      const clients = new ClientService({ db: h.ctx.store.db, now: h.clock.now })
      await clients.add({ name: 'carol', grants: ['READ_ME'] })
      const { token } = await clients.issueToken('carol')
      h.clock.tick(5000)
      const resolved = await h.request('/resolve', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'X-Secrets-Reason': 'deploy', 'Content-Type': 'application/json' },
        body: JSON.stringify({ names: ['READ_ME'] }),
      })
      expect(resolved.status).toBe(200)
      h.bodies.pop() // the one answer that carries the value, by design
      const after = (await (await h.as(alice, 'GET', '/secrets')).json()) as { secrets: Array<{ name: string; last_read: unknown }> }
      expect(after.secrets.map((s) => [s.name, s.last_read])).toEqual([
        ['READ_ME', { at: '2026-01-01T00:00:05.000Z', accessor: 'client:carol' }],
        ['UNREAD', null],
      ])
      expectNoSealedData()
    })

    test('an empty store lists nothing', async () => {
      expect(await (await h.as(alice, 'GET', '/secrets')).json()).toEqual({ secrets: [], current_key_id: h.ctx.keyring.current.id })
    })
  })

  describe('POST /secrets', () => {
    test('201 with the metadata; the audit row names the operator and the request', async () => {
      const res = await h.as(alice, 'POST', '/secrets', { name: 'GITHUB_TOKEN', value: 'SENTINEL-ghp', description: 'forge' })
      expect(res.status).toBe(201)
      expect(await res.json()).toEqual({
        name: 'GITHUB_TOKEN',
        description: 'forge',
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
        rotated_at: '2026-01-01T00:00:00.000Z',
        key_id: h.ctx.keyring.current.id,
        key_current: true,
        version: 1,
      })
      expect(res.headers.get('ETag')).toBe('"1"')
      // The login before it is a row too (docs/audit.md).
      expect(await auditRows()).toMatchObject([
        { secret_name: '', action: 'login', accessor: 'operator:alice', outcome: 'ok' },
        { secret_name: 'GITHUB_TOKEN', action: 'create', accessor: 'operator:alice', reason: 'http POST /secrets', outcome: 'ok' },
      ])
      // The value was stored, sealed: the service decrypts it back.
      expect(await h.ctx.service.decrypt(await h.ctx.service.sealed('GITHUB_TOKEN'), 'test', 'check')).toBe('SENTINEL-ghp')
      expectNoSealedData()
    })

    test('409 already_exists for a taken name; the stored value is untouched', async () => {
      await h.as(alice, 'POST', '/secrets', { name: 'TAKEN', value: 'SENTINEL-first' })
      const before = await h.snapshot()
      const res = await h.as(alice, 'POST', '/secrets', { name: 'TAKEN', value: 'SENTINEL-second' })
      expect(res.status).toBe(409)
      expect(await errorOf(res)).toEqual({ code: 'already_exists', message: 'secret TAKEN already exists' })
      expect(await h.snapshot()).toEqual(before)
      expectNoSealedData()
    })
  })

  describe('GET /secrets/{name}', () => {
    test('200 with the metadata, 404 not_found for an unknown name, 400 for a malformed one', async () => {
      await h.as(alice, 'POST', '/secrets', { name: 'ONE', value: 'SENTINEL-one' })
      const ok = await h.as(alice, 'GET', '/secrets/ONE')
      expect(ok.status).toBe(200)
      expect(Object.keys((await ok.json()) as object).sort()).toEqual(SECRET_KEYS)
      const missing = await h.as(alice, 'GET', '/secrets/NOPE')
      expect(missing.status).toBe(404)
      expect(await errorOf(missing)).toEqual({ code: 'not_found', message: 'secret NOPE does not exist' })
      const bad = await h.as(alice, 'GET', '/secrets/lower')
      expect(bad.status).toBe(400)
      expect(await errorOf(bad)).toMatchObject({ code: 'validation_error', field: 'name' })
      expectNoSealedData()
    })
  })

  describe('PUT /secrets/{name}', () => {
    test('200: new value, rotated_at and updated_at bumped, description kept when omitted', async () => {
      await h.as(alice, 'POST', '/secrets', { name: 'ONE', value: 'SENTINEL-one', description: 'keep me' })
      h.clock.tick(60_000)
      const res = await h.as(alice, 'PUT', '/secrets/ONE', { value: 'SENTINEL-two' })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({
        name: 'ONE',
        description: 'keep me',
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:01:00.000Z',
        rotated_at: '2026-01-01T00:01:00.000Z',
      })
      expect(await h.ctx.service.decrypt(await h.ctx.service.sealed('ONE'), 'test', 'check')).toBe('SENTINEL-two')
      const changed = await h.as(alice, 'PUT', '/secrets/ONE', { value: 'SENTINEL-three', description: 'new words' })
      expect(await changed.json()).toMatchObject({ description: 'new words' })
      expect((await auditRows()).at(-1)).toMatchObject({ action: 'replace', accessor: 'operator:alice', reason: 'http PUT /secrets/ONE' })
      expectNoSealedData()
    })

    test('404 for an unknown name, nothing written', async () => {
      const before = await h.snapshot()
      const res = await h.as(alice, 'PUT', '/secrets/NOPE', { value: 'SENTINEL-x' })
      expect(res.status).toBe(404)
      expect(await bodyOf(res)).toEqual({ error: { code: 'not_found', message: 'secret NOPE does not exist' } })
      expect(await h.snapshot()).toEqual(before)
    })

    test('a name in the body is an unknown field (the path names the secret)', async () => {
      await h.as(alice, 'POST', '/secrets', { name: 'ONE', value: 'SENTINEL-one' })
      const res = await h.as(alice, 'PUT', '/secrets/ONE', { name: 'OTHER', value: 'SENTINEL-x' })
      expect(res.status).toBe(400)
      expect(await bodyOf(res)).toEqual({ error: { code: 'validation_error', message: 'name is not an allowed field', field: 'name' } })
    })
  })

  describe('DELETE /secrets/{name}', () => {
    test('204 with an empty body; the secret is gone, its history stays readable', async () => {
      await h.as(alice, 'POST', '/secrets', { name: 'GONE', value: 'SENTINEL-gone' })
      const res = await h.as(alice, 'DELETE', '/secrets/GONE')
      expect(res.status).toBe(204)
      expect(await res.text()).toBe('')
      expect((await h.as(alice, 'GET', '/secrets/GONE')).status).toBe(404)
      const log = (await (await h.as(alice, 'GET', '/secrets/GONE/access-log')).json()) as { entries: Array<{ action: string }> }
      expect(log.entries.map((e) => e.action)).toEqual(['delete', 'create'])
    })

    test('404 for an unknown name', async () => {
      expect((await h.as(alice, 'DELETE', '/secrets/NOPE')).status).toBe(404)
    })

    test('an empty JSON object as body is accepted; anything else in it is refused', async () => {
      await h.as(alice, 'POST', '/secrets', { name: 'A', value: 'x' })
      expect((await h.as(alice, 'DELETE', '/secrets/A', { force: true })).status).toBe(400)
      expect((await h.as(alice, 'DELETE', '/secrets/A', {})).status).toBe(204)
    })
  })

  describe('POST /secrets/{name}/rotate', () => {
    test('200: re-encrypted under the current key (fresh IV), rotated_at bumped, audited', async () => {
      await h.as(alice, 'POST', '/secrets', { name: 'ONE', value: 'SENTINEL-one' })
      const sealedBefore = await h.ctx.service.sealed('ONE')
      h.clock.tick(1000)
      const res = await h.as(alice, 'POST', '/secrets/ONE/rotate')
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ name: 'ONE', rotated_at: '2026-01-01T00:00:01.000Z', key_current: true })
      const sealedAfter = await h.ctx.service.sealed('ONE')
      expect(sealedAfter.iv).not.toEqual(sealedBefore.iv)
      expect(await h.ctx.service.decrypt(sealedAfter, 'test', 'check')).toBe('SENTINEL-one')
      expect((await auditRows()).at(-2)).toMatchObject({ action: 'rotate', accessor: 'operator:alice', reason: 'http POST /secrets/ONE/rotate' })
      expectNoSealedData()
    })

    test('404 for an unknown name', async () => {
      expect((await h.as(alice, 'POST', '/secrets/NOPE/rotate')).status).toBe(404)
    })

    test('moves a secret sealed under a previous master key to the current one', async () => {
      const tmp = tempDir()
      const shared = await freshDatabase(dialect, `file:${join(tmp.dir, 'rot.db')}`)
      const url = shared.url
      const oldKey = randomKey()
      const first = await memoryContext({ CLAUDE_HOOKS_SECRET_KEY: oldKey, DATABASE_URL: url })
      await first.service.create({ name: 'OLD', value: 'SENTINEL-old' }, { accessor: 'cli:test', reason: 'setup' })
      await first.close()
      const ctx = await memoryContext({ CLAUDE_HOOKS_SECRET_KEY: randomKey(), CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: oldKey, DATABASE_URL: url })
      try {
        const app = createApp({ ctx, passwordParams: FAST_SCRYPT, webDir: NO_UI, logger: { request() {}, error() {} } })
        const { OperatorService } = await import('../../../src/operators/operator.service.ts')
        await new OperatorService({ db: ctx.store.db, passwordParams: FAST_SCRYPT }).add(ALICE.username, ALICE.password)
        const login = await app.request('/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ALICE) })
        const cookie = login.headers.get('Set-Cookie')!.split(';')[0]!
        const { csrf_token } = (await login.json()) as { csrf_token: string }
        const listed = (await (await app.request('/secrets', { headers: { Cookie: cookie } })).json()) as { secrets: Array<{ key_current: boolean }> }
        expect(listed.secrets[0]!.key_current).toBe(false)
        const res = await app.request('/secrets/OLD/rotate', { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrf_token } })
        expect(res.status).toBe(200)
        expect(await res.json()).toMatchObject({ key_id: ctx.keyring.current.id, key_current: true })
      } finally {
        await ctx.close()
        await shared.drop()
        tmp.cleanup()
      }
    })
  })

  describe('GET /secrets/{name}/access-log', () => {
    type Page = { entries: Array<{ id: number; at: string; action: string; accessor: string; reason: string; outcome: string }>; next_cursor: string | null }
    const page = async (query = '', name = 'BUSY'): Promise<Page> => {
      const res = await h.as(alice, 'GET', `/secrets/${name}/access-log${query}`)
      expect(res.status).toBe(200)
      return (await res.json()) as Page
    }

    beforeEach(async () => {
      await h.as(alice, 'POST', '/secrets', { name: 'BUSY', value: 'SENTINEL-busy' })
      // 119 rotations: 120 rows in all, more than two default pages.
      for (let i = 0; i < 119; i++) {
        h.clock.tick(1000)
        await h.as(alice, 'POST', '/secrets/BUSY/rotate')
      }
    })

    test('entries newest first with exactly id, at, action, accessor, label, reason, outcome', async () => {
      const { entries } = await page('?limit=2')
      expect(entries).toHaveLength(2)
      expect(entries[0]!.id).toBeGreaterThan(entries[1]!.id)
      expect(Object.keys(entries[0]!).sort()).toEqual(['accessor', 'action', 'at', 'client_address', 'id', 'label', 'outcome', 'reason', 'token_id', 'version'])
      // The newest rows of a rotation: its `rotate` row, then the `prune` of the version past SECRET_VERSIONS_KEPT.
      expect(entries[1]).toMatchObject({ action: 'rotate', version: 120 })
      expect(entries[0]).toMatchObject({ action: 'prune', version: 109 })
      expect(entries[1]).toMatchObject({ action: 'rotate', accessor: 'operator:alice', label: null, reason: 'http POST /secrets/BUSY/rotate', outcome: 'ok' })
      expectNoSealedData()
    })

    test('a render\'s declared label is shown apart from its accessor', async () => {
      await h.ctx.service.resolveAll(['BUSY'], { accessor: 'cli:alice', label: 'operator:bob', reason: 'render' })
      const { entries } = await page('?limit=1')
      expect(entries[0]).toMatchObject({ action: 'read', accessor: 'cli:alice', label: 'operator:bob', reason: 'render' })
    })

    test('limit defaults to 50; next_cursor walks every row once and is null at the end', async () => {
      const seen: number[] = []
      let cursor: string | null = null
      const sizes: number[] = []
      do {
        const p: Page = await page(cursor ? `?cursor=${encodeURIComponent(cursor)}` : '')
        sizes.push(p.entries.length)
        seen.push(...p.entries.map((e) => e.id))
        cursor = p.next_cursor
      } while (cursor !== null)
      // 1 create, 119 rotations and 109 prunes (10 previous versions kept).
      const total = 1 + 119 + 109
      expect(sizes).toEqual([50, 50, 50, 50, 29])
      expect(new Set(seen).size).toBe(total)
      expect(seen).toEqual([...seen].sort((a, b) => b - a))
      expect((await page('?limit=200')).entries).toHaveLength(200)
      const last = await page(`?limit=${total - 200}&cursor=${encodeURIComponent((await page('?limit=200')).next_cursor!)}`)
      expect([last.entries.length, last.next_cursor]).toEqual([total - 200, null])
      expect((await page('?limit=119')).next_cursor).not.toBeNull()
    })

    test('pages stay stable while new rows arrive', async () => {
      const first = await page('?limit=10')
      for (let i = 0; i < 5; i++) await h.as(alice, 'POST', '/secrets/BUSY/rotate')
      const second = await page(`?limit=10&cursor=${first.next_cursor}`)
      expect(second.entries[0]!.id).toBe(first.entries[9]!.id - 1)
    })

    test('the cursor is opaque: no id in clear', async () => {
      const { next_cursor, entries } = await page('?limit=3')
      expect(next_cursor).toMatch(/^[A-Za-z0-9_-]+$/)
      expect(next_cursor).not.toContain(String(entries[2]!.id))
    })

    const bad: Array<[string, string, string]> = [
      ['limit=0', '?limit=0', 'limit'],
      ['limit=201', '?limit=201', 'limit'],
      ['limit=abc', '?limit=abc', 'limit'],
      ['limit=-1', '?limit=-1', 'limit'],
      ['limit=1.5', '?limit=1.5', 'limit'],
      ['limit given twice', '?limit=1&limit=2', 'limit'],
      ['a garbage cursor', '?cursor=SENTINEL', 'cursor'],
      ['a cursor of another format', `?cursor=${btoa('v9:12')}`, 'cursor'],
      ['a cursor with id 0', `?cursor=${btoa('al1:0').replace(/=+$/, '')}`, 'cursor'],
      ['an empty cursor', '?cursor=', 'cursor'],
      ['an unknown parameter', '?offset=5', 'offset'],
    ]
    for (const [label, query, field] of bad) {
      test(`${label}: 400 naming ${field}`, async () => {
        const res = await h.as(alice, 'GET', `/secrets/BUSY/access-log${query}`)
        expect(res.status).toBe(400)
        const error = await errorOf(res)
        expect(error).toMatchObject({ code: 'validation_error', field })
        expect(error.message).not.toContain('SENTINEL')
      })
    }

    test('a name that never existed has an empty log', async () => {
      expect(await page('', 'NEVER_THERE')).toEqual({ entries: [], next_cursor: null })
    })
  })

  describe('the audit rows of mutations over HTTP', () => {
    test('each carries the peer address the server saw (create, replace, describe, rotate, rollback, delete), and the chain verifies', async () => {
      expect((await h.as(alice, 'POST', '/secrets', { name: 'WHERE', value: 'SENTINEL-1' })).status).toBe(201)
      expect((await h.as(alice, 'PUT', '/secrets/WHERE', { value: 'SENTINEL-2' })).status).toBe(200)
      expect((await h.as(alice, 'PATCH', '/secrets/WHERE', { description: 'moved' })).status).toBe(200)
      expect((await h.as(alice, 'POST', '/secrets/WHERE/rotate')).status).toBe(200)
      expect((await h.as(alice, 'POST', '/secrets/WHERE/rollback', { version: 1 })).status).toBe(200)
      expect((await h.as(alice, 'DELETE', '/secrets/WHERE')).status).toBe(204)
      const rows = (await auditRows()).filter((r) => r.secret_name === 'WHERE')
      expect(rows.map((r) => r.action)).toEqual(['create', 'replace', 'describe', 'rotate', 'rollback', 'delete'])
      for (const r of rows) expect(r).toMatchObject({ accessor: 'operator:alice', client_address: '127.0.0.1', token_id: null })
      expect(await h.ctx.service.auditLog.verify(h.ctx.store.db)).toMatchObject({ ok: true })
      expectNoSealedData()
    })

    test('an address of another shape is left out of the row, and the change is still made', async () => {
      const res = await h.request(
        '/secrets',
        { method: 'POST', headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'ODD', value: 'SENTINEL-odd' }) },
        { remoteAddress: 'not an address/\n' },
      )
      expect(res.status).toBe(201)
      const [row] = (await auditRows()).filter((r) => r.secret_name === 'ODD')
      expect(row).toMatchObject({ action: 'create', client_address: null })
    })
  })
})
