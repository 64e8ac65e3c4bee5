import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { describeEachDialect } from '../../helpers/databases.ts'
import { ALICE, errorOf, type Harness, harness, type Login } from '../harness.ts'

describeEachDialect('/secrets versions routes', (dialect) => {
  let h: Harness
  let alice: Login
  beforeEach(async () => {
    h = await harness({}, dialect)
    alice = await h.login(ALICE)
    await h.as(alice, 'POST', '/secrets', { name: 'TOKEN', value: 'SENTINEL-1', description: 'forge' })
  })
  afterEach(() => h.close())
  const value = async () => h.ctx.service.decrypt(await h.ctx.service.sealed('TOKEN'), 'test', 'check')

  describe('ETag and If-Match', () => {
    test('GET, list and PUT carry the version; PUT with the current If-Match wins and the next stale one is 412 version_mismatch, nothing written', async () => {
      const got = await h.as(alice, 'GET', '/secrets/TOKEN')
      expect(got.headers.get('ETag')).toBe('"1"')
      expect(await got.json()).toMatchObject({ name: 'TOKEN', version: 1 })
      const listed = (await (await h.as(alice, 'GET', '/secrets')).json()) as { secrets: Array<{ version: number }> }
      expect(listed.secrets[0]!.version).toBe(1)
      const put = await h.as(alice, 'PUT', '/secrets/TOKEN', { value: 'SENTINEL-2' }, { 'If-Match': '"1"' })
      expect(put.status).toBe(200)
      expect(put.headers.get('ETag')).toBe('"2"')
      expect(await put.json()).toMatchObject({ version: 2 })
      const before = await h.snapshot()
      const stale = await h.as(alice, 'PUT', '/secrets/TOKEN', { value: 'SENTINEL-3' }, { 'If-Match': '"1"' })
      expect(stale.status).toBe(412)
      expect(stale.headers.get('ETag')).toBe('"2"')
      expect(await stale.json()).toEqual({
        error: { code: 'version_mismatch', message: 'secret TOKEN is at version 2, not 1; nothing was written', current_version: 2 },
      })
      expect(await h.snapshot()).toEqual(before)
      expect(await value()).toBe('SENTINEL-2')
      expect((await h.as(alice, 'PUT', '/secrets/TOKEN', { value: 'SENTINEL-3' }, { 'If-Match': '*' })).status).toBe(200)
    })

    test('DELETE with a stale If-Match is 412 and the secret stays; with the current one it goes', async () => {
      expect((await h.as(alice, 'DELETE', '/secrets/TOKEN', undefined, { 'If-Match': '"7"' })).status).toBe(412)
      expect(await value()).toBe('SENTINEL-1')
      expect((await h.as(alice, 'DELETE', '/secrets/TOKEN', undefined, { 'If-Match': '"1"' })).status).toBe(204)
      expect((await h.as(alice, 'GET', '/secrets/TOKEN')).status).toBe(404)
      // A secret that does not exist is 404 whatever If-Match says.
      expect((await h.as(alice, 'PUT', '/secrets/TOKEN', { value: 'SENTINEL-x' }, { 'If-Match': '"1"' })).status).toBe(404)
      expect((await h.as(alice, 'DELETE', '/secrets/TOKEN', undefined, { 'If-Match': '"1"' })).status).toBe(404)
    })

    test('a malformed If-Match is 400 naming the header, never echoing it, nothing written', async () => {
      const before = await h.snapshot()
      for (const bad of ['1', 'W/"1"', '"1", "2"', '"0"', '"abc"', '"99999999999"', 'SENTINEL-x']) {
        for (const [method, body] of [['PUT', { value: 'SENTINEL-new' }], ['DELETE', undefined], ['PATCH', { description: 'd' }]] as const) {
          const res = await h.as(alice, method, '/secrets/TOKEN', body, { 'If-Match': bad })
          expect(res.status).toBe(400)
          const error = await errorOf(res)
          expect(error).toMatchObject({ code: 'validation_error', field: 'If-Match' })
          expect(error.message).toContain('If-Match')
          expect(error.message).not.toContain(bad)
        }
      }
      expect(await h.snapshot()).toEqual(before)
    })
  })

  describe('GET /secrets/{name}/versions', () => {
    test('the current and the kept versions, newest first, metadata only', async () => {
      h.clock.tick(1000)
      await h.as(alice, 'PUT', '/secrets/TOKEN', { value: 'SENTINEL-2' })
      const res = await h.as(alice, 'GET', '/secrets/TOKEN/versions')
      expect(res.status).toBe(200)
      expect(res.headers.get('ETag')).toBe('"2"')
      const key = h.ctx.keyring.current.id
      expect(await res.json()).toEqual({
        name: 'TOKEN',
        current_version: 2,
        versions: [
          { version: 2, created_at: '2026-01-01T00:00:01.000Z', key_id: key, key_current: true, current: true },
          { version: 1, created_at: '2026-01-01T00:00:00.000Z', key_id: key, key_current: true, current: false },
        ],
      })
      expect((await h.as(alice, 'GET', '/secrets/NOPE/versions')).status).toBe(404)
      for (const body of h.bodies) expect(body).not.toContain('SENTINEL')
    })
  })

  describe('POST /secrets/{name}/rollback', () => {
    test('200 with the new version, the old value back; an unknown version is 422 unknown_version; a bad body 400', async () => {
      await h.as(alice, 'PUT', '/secrets/TOKEN', { value: 'SENTINEL-2' })
      const res = await h.as(alice, 'POST', '/secrets/TOKEN/rollback', { version: 1 })
      expect(res.status).toBe(200)
      expect(res.headers.get('ETag')).toBe('"3"')
      expect(await res.json()).toMatchObject({ name: 'TOKEN', version: 3 })
      expect(await value()).toBe('SENTINEL-1')
      const before = await h.snapshot()
      for (const version of [3, 9]) {
        const refused = await h.as(alice, 'POST', '/secrets/TOKEN/rollback', { version })
        expect(refused.status).toBe(422)
        expect(await errorOf(refused)).toMatchObject({ code: 'unknown_version' })
      }
      for (const body of [{}, { version: 0 }, { version: 1.5 }, { version: '1' }, { version: 1, extra: 1 }]) {
        const bad = await h.as(alice, 'POST', '/secrets/TOKEN/rollback', body)
        expect(bad.status).toBe(400)
        expect((await errorOf(bad)).code).toBe('validation_error')
      }
      expect((await h.as(alice, 'POST', '/secrets/TOKEN/rollback', { version: 1 }, { 'If-Match': '"2"' })).status).toBe(412)
      expect(await h.snapshot()).toEqual(before)
      const audit = await h.ctx.store.db.selectFrom('secret_access_log').selectAll().where('action', '=', 'rollback').execute()
      expect(audit).toMatchObject([{ accessor: 'operator:alice', version: 3, outcome: 'ok' }])
    })
  })

  describe('a row the audit log does not account for', () => {
    test('PUT, rotate and rollback over a replayed old ciphertext are 409 row_not_audited, nothing written; DELETE clears it', async () => {
      await h.as(alice, 'PUT', '/secrets/TOKEN', { value: 'SENTINEL-2' })
      const old = await h.ctx.store.db.selectFrom('secret_version').selectAll().where('name', '=', 'TOKEN').executeTakeFirstOrThrow()
      await h.ctx.store.db
        .updateTable('secret')
        .set({ ciphertext: old.ciphertext as never, iv: old.iv as never, auth_tag: old.auth_tag as never, version: 1 })
        .where('name', '=', 'TOKEN')
        .execute()
      const before = await h.snapshot()
      for (const [method, path, body] of [
        ['PUT', '/secrets/TOKEN', { value: 'SENTINEL-3' }],
        ['POST', '/secrets/TOKEN/rollback', { version: 2 }],
      ] as const) {
        const res = await h.as(alice, method, path, body)
        expect(res.status).toBe(409)
        const error = await errorOf(res)
        expect(error.code).toBe('row_not_audited')
        expect(error.message).toContain('secrets audit verify')
      }
      // The secret and its versions unchanged; the refused rollback left an `error` row, as a refused rotation does.
      const after = await h.snapshot()
      expect([after.secret, after.secret_version]).toEqual([before.secret, before.secret_version])
      expect(after.audit.slice(before.audit.length).map((r) => [r.action, r.outcome])).toEqual([['rollback', 'error']])
      const rotated = await h.as(alice, 'POST', '/secrets/TOKEN/rotate')
      expect([rotated.status, (await errorOf(rotated)).code]).toEqual([409, 'row_not_audited'])
      expect(await value()).toBe('SENTINEL-1')
      expect((await h.as(alice, 'DELETE', '/secrets/TOKEN')).status).toBe(204)
      expect(await h.ctx.service.auditLog.verify(h.ctx.store.db)).toMatchObject({ ok: true })
    })
  })

  describe('PATCH /secrets/{name}', () => {
    test('changes the description alone: same version and value, audited', async () => {
      const res = await h.as(alice, 'PATCH', '/secrets/TOKEN', { description: 'the forge token' }, { 'If-Match': '"1"' })
      expect(res.status).toBe(200)
      expect(res.headers.get('ETag')).toBe('"1"')
      expect(await res.json()).toMatchObject({ description: 'the forge token', version: 1 })
      expect(await value()).toBe('SENTINEL-1')
      const rows = await h.ctx.store.db.selectFrom('secret_access_log').selectAll().where('action', '=', 'describe').execute()
      expect(rows).toMatchObject([{ version: 1, ciphertext_sha256: null, accessor: 'operator:alice' }])
    })

    test('a value field is refused by name, as are a missing description and unknown fields; nothing written', async () => {
      const before = await h.snapshot()
      const withValue = await h.as(alice, 'PATCH', '/secrets/TOKEN', { description: 'x', value: 'SENTINEL-patched' })
      expect(withValue.status).toBe(400)
      const error = await errorOf(withValue)
      expect(error).toMatchObject({ code: 'validation_error', field: 'value' })
      expect(error.message).toContain('PATCH changes the description alone')
      expect(error.message).not.toContain('SENTINEL')
      expect(await errorOf(await h.as(alice, 'PATCH', '/secrets/TOKEN', {}))).toMatchObject({ field: 'description' })
      expect(await errorOf(await h.as(alice, 'PATCH', '/secrets/TOKEN', { description: 'x', name: 'B' }))).toMatchObject({ field: 'name' })
      expect((await h.as(alice, 'PATCH', '/secrets/NOPE', { description: 'x' })).status).toBe(404)
      expect(await h.snapshot()).toEqual(before)
    })
  })
})
