import { afterEach, expect, test } from 'bun:test'
import { sql } from 'kysely'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openSecrets, type SecretsContext } from '../../src/context.ts'
import { ConfigError, DecryptError, RowNotAuditedError, UnknownVersionError, VersionMismatchError } from '../../src/errors.ts'
import { CLI_ACTOR, freshStoreEachTest, memoryContext } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'

const WORKER = join(import.meta.dir, '..', 'fixtures', 'replace-worker.ts')

describeEachDialect('versions', (dialect) => {
  let ctx: SecretsContext & { env: Record<string, string | undefined> }
  const open = async (kept?: string) => {
    ctx = await memoryContext(kept === undefined ? {} : { SECRET_VERSIONS_KEPT: kept }, {}, dialect)
  }
  afterEach(() => ctx?.close())
  const value = async (name: string) => ctx.service.decrypt(await ctx.service.sealed(name), 'cli:test', 'check')
  const verify = () => ctx.service.auditLog.verify(ctx.store.db)
  // The audit rows but the `read`s this test's own value checks leave.
  const audit = async () => (await ctx.store.db.selectFrom('secret_access_log').selectAll().orderBy('id').execute()).filter((r) => r.action !== 'read')

  test('rollback to each kept version writes that value as a new version, audited, and the chain and rows verify', async () => {
    await open()
    await ctx.service.create({ name: 'A', value: 'value-1' }, CLI_ACTOR)
    for (let v = 2; v <= 5; v++) expect((await ctx.service.replace('A', { value: `value-${v}` }, CLI_ACTOR)).version).toBe(v)
    let current = 5
    for (const kept of [4, 3, 2, 1]) {
      const meta = await ctx.service.rollback('A', kept, CLI_ACTOR)
      expect(meta.version).toBe(++current)
      expect(await value('A')).toBe(`value-${kept}`)
      const last = (await audit()).at(-1)!
      expect([last.action, last.version]).toEqual(['rollback', current])
    }
    const list = await ctx.service.versions('A')
    expect(list.current_version).toBe(9)
    expect(list.versions.map((v) => [v.version, v.current])).toEqual([[9, true], [8, false], [7, false], [6, false], [5, false], [4, false], [3, false], [2, false], [1, false]])
    expect(JSON.stringify(list)).not.toContain('value-')
    expect(await verify()).toMatchObject({ ok: true })
  })

  test('rollback refuses the current version and a version not kept, naming the kept ones; nothing written', async () => {
    await open()
    await ctx.service.create({ name: 'A', value: 'one' }, CLI_ACTOR)
    await ctx.service.replace('A', { value: 'two' }, CLI_ACTOR)
    const before = (await audit()).length
    await expect(ctx.service.rollback('A', 2, CLI_ACTOR)).rejects.toBeInstanceOf(UnknownVersionError)
    const e = await ctx.service.rollback('A', 7, CLI_ACTOR).catch((x) => x)
    expect(e).toBeInstanceOf(UnknownVersionError)
    expect(e.message).toBe('secret A has no version 7 to roll back to: the kept versions are 1')
    expect((await audit()).length).toBe(before)
    expect(await value('A')).toBe('two')
  })

  test('pruning keeps the newest SECRET_VERSIONS_KEPT previous values and audits each removal', async () => {
    await open('2')
    await ctx.service.create({ name: 'A', value: 'v1' }, CLI_ACTOR)
    for (let v = 2; v <= 5; v++) await ctx.service.replace('A', { value: `v${v}` }, CLI_ACTOR)
    expect((await ctx.service.versions('A')).versions.map((v) => v.version)).toEqual([5, 4, 3])
    expect((await audit()).filter((r) => r.action === 'prune').map((r) => [r.version, r.ciphertext_sha256])).toEqual([[1, null], [2, null]])
    await expect(ctx.service.rollback('A', 1, CLI_ACTOR)).rejects.toBeInstanceOf(UnknownVersionError)
    await ctx.service.rollback('A', 3, CLI_ACTOR)
    expect(await value('A')).toBe('v3')
    expect((await ctx.service.versions('A')).versions.map((v) => v.version)).toEqual([6, 5, 4])
    expect(await verify()).toMatchObject({ ok: true })
    await ctx.service.delete('A', CLI_ACTOR)
    expect(await ctx.store.db.selectFrom('secret_version').selectAll().execute()).toEqual([])
    expect(await verify()).toMatchObject({ ok: true })
  })

  test('SECRET_VERSIONS_KEPT=0 keeps none; a value outside 0-1000 refuses to start naming the variable', async () => {
    await open('0')
    await ctx.service.create({ name: 'A', value: 'v1' }, CLI_ACTOR)
    await ctx.service.replace('A', { value: 'v2' }, CLI_ACTOR)
    expect((await ctx.service.versions('A')).versions.map((v) => v.version)).toEqual([2])
    for (const bad of ['-1', '1001', 'ten', '1.5']) {
      const e = await openSecrets({ CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: ':memory:', SECRET_VERSIONS_KEPT: bad }).catch((x) => x)
      expect(e).toBeInstanceOf(ConfigError)
      expect(e.message).toContain('SECRET_VERSIONS_KEPT')
    }
  })

  test('check-and-set: a stale version is refused with the current one and nothing is written; describe changes the description alone', async () => {
    await open()
    await ctx.service.create({ name: 'A', value: 'one' }, CLI_ACTOR)
    await ctx.service.replace('A', { value: 'two' }, CLI_ACTOR, { ifVersion: 1 })
    const before = await audit()
    const e = await ctx.service.replace('A', { value: 'three' }, CLI_ACTOR, { ifVersion: 1 }).catch((x) => x)
    expect(e).toBeInstanceOf(VersionMismatchError)
    expect([e.current, e.expected, e.message]).toEqual([2, 1, 'secret A is at version 2, not 1; nothing was written'])
    await expect(ctx.service.delete('A', CLI_ACTOR, { ifVersion: 1 })).rejects.toBeInstanceOf(VersionMismatchError)
    await expect(ctx.service.set({ name: 'A', value: 'x' }, CLI_ACTOR, { ifVersion: 0 })).rejects.toBeInstanceOf(VersionMismatchError)
    expect(await audit()).toEqual(before)
    expect(await value('A')).toBe('two')
    const described = await ctx.service.describe('A', 'the forge token', CLI_ACTOR, { ifVersion: 2 })
    expect([described.version, described.description]).toEqual([2, 'the forge token'])
    expect(await value('A')).toBe('two')
    expect((await audit()).at(-1)).toMatchObject({ action: 'describe', version: 2, ciphertext_sha256: null })
    await ctx.service.delete('A', CLI_ACTOR, { ifVersion: 2 })
    expect(await verify()).toMatchObject({ ok: true })
  })

  test('an older ciphertext copied back over the row is named by verify; so are a row copied from another secret, a kept version edited, and a deleted secret restored', async () => {
    await open()
    await ctx.service.create({ name: 'A', value: 'old' }, CLI_ACTOR)
    await ctx.service.replace('A', { value: 'new' }, CLI_ACTOR)
    await ctx.service.create({ name: 'B', value: 'bee' }, CLI_ACTOR)
    expect(await verify()).toMatchObject({ ok: true })
    const row = await ctx.store.db.selectFrom('secret').selectAll().where('name', '=', 'A').executeTakeFirstOrThrow()
    const old = await ctx.store.db.selectFrom('secret_version').selectAll().where('name', '=', 'A').executeTakeFirstOrThrow()
    const put = (name: string, r: { ciphertext: Uint8Array; iv: Uint8Array; auth_tag: Uint8Array; version: number }) =>
      ctx.store.db.updateTable('secret').set({ ciphertext: r.ciphertext as never, iv: r.iv as never, auth_tag: r.auth_tag as never, version: r.version }).where('name', '=', name).execute()

    // The whole old row back, version included: it decrypts (its additional data is its own), verify names it.
    await put('A', old)
    expect(await value('A')).toBe('old')
    expect(await verify()).toMatchObject({ ok: false, problem: 'secret', secret: 'A', version: 1 })
    // The old ciphertext under the current version number: the version-bound additional data refuses it.
    await put('A', { ...old, version: 2 })
    await expect(value('A')).rejects.toBeInstanceOf(DecryptError)
    expect(await verify()).toMatchObject({ ok: false, problem: 'secret', secret: 'A', version: 2 })
    await put('A', row)
    expect(await verify()).toMatchObject({ ok: true })

    // B's row copied over A: does not decrypt as A, and verify names A.
    const b = await ctx.store.db.selectFrom('secret').selectAll().where('name', '=', 'B').executeTakeFirstOrThrow()
    await put('A', { ...b, version: 2 })
    const copied = await verify()
    expect(copied).toMatchObject({ ok: false, problem: 'secret', secret: 'A' })
    expect((copied as { detail: string }).detail).toContain('does not hold the ciphertext its last audited mutation wrote')
    await put('A', row)

    // A kept version edited (here: the current ciphertext copied into it).
    await ctx.store.db.updateTable('secret_version').set({ ciphertext: row.ciphertext as never }).where('name', '=', 'A').execute()
    expect(await verify()).toMatchObject({ ok: false, problem: 'secret', secret: 'A', version: 1 })
    await ctx.store.db.updateTable('secret_version').set({ ciphertext: old.ciphertext as never }).where('name', '=', 'A').execute()
    expect(await verify()).toMatchObject({ ok: true })

    // B deleted, then its row put back from a backup.
    await ctx.service.delete('B', CLI_ACTOR)
    await ctx.store.db.insertInto('secret').values(b as never).execute()
    const restored = await verify()
    expect(restored).toMatchObject({ ok: false, problem: 'secret', secret: 'B' })
    expect((restored as { detail: string }).detail).toContain('the log says it was deleted')
  })

  test('rotate, rotate --all and rollback refuse to re-seal a row the log does not account for, so it stays named by verify', async () => {
    await open()
    await ctx.service.create({ name: 'A', value: 'old' }, CLI_ACTOR)
    await ctx.service.replace('A', { value: 'new' }, CLI_ACTOR)
    await ctx.service.replace('A', { value: 'newer' }, CLI_ACTOR)
    const kept = await ctx.store.db.selectFrom('secret_version').selectAll().where('name', '=', 'A').orderBy('version').execute()
    const genuine = await ctx.store.db.selectFrom('secret').selectAll().where('name', '=', 'A').executeTakeFirstOrThrow()
    // Version 1's whole row put back as the current one: it decrypts.
    await ctx.store.db
      .updateTable('secret')
      .set({ ciphertext: kept[0]!.ciphertext as never, iv: kept[0]!.iv as never, auth_tag: kept[0]!.auth_tag as never, version: 1 })
      .where('name', '=', 'A')
      .execute()
    const before = (await audit()).length
    await expect(ctx.service.rotate('A', CLI_ACTOR)).rejects.toBeInstanceOf(RowNotAuditedError)
    expect((await audit()).slice(before).map((r) => [r.action, r.outcome])).toEqual([['rotate', 'error']])
    expect(await value('A')).toBe('old')
    // A replace would keep the replayed row as a genuine version: refused too, nothing written.
    const snapshot = await ctx.store.db.selectFrom('secret_version').selectAll().execute()
    await expect(ctx.service.replace('A', { value: 'fresh' }, CLI_ACTOR)).rejects.toBeInstanceOf(RowNotAuditedError)
    expect(await ctx.store.db.selectFrom('secret_version').selectAll().execute()).toEqual(snapshot)
    expect(await value('A')).toBe('old')
    expect(await verify()).toMatchObject({ ok: false, problem: 'secret', secret: 'A', version: 1 })
    await expect(ctx.service.rollback('A', 2, CLI_ACTOR)).rejects.toBeInstanceOf(RowNotAuditedError)
    expect((await audit()).at(-1)).toMatchObject({ action: 'rollback', outcome: 'error', version: 2 })
    await ctx.store.db.updateTable('secret').set(genuine as never).where('name', '=', 'A').execute()
    expect(await verify()).toMatchObject({ ok: true })
    // A kept version edited (version 1's ciphertext copied into version 2): rollback to it is refused and audited.
    await ctx.store.db
      .updateTable('secret_version')
      .set({ ciphertext: kept[0]!.ciphertext as never, iv: kept[0]!.iv as never, auth_tag: kept[0]!.auth_tag as never })
      .where('name', '=', 'A')
      .where('version', '=', 2)
      .execute()
    await expect(ctx.service.rollback('A', 2, CLI_ACTOR)).rejects.toBeInstanceOf(RowNotAuditedError)
    expect((await audit()).at(-1)).toMatchObject({ action: 'rollback', outcome: 'error', version: 2 })
    expect(await ctx.service.resealBatch(undefined, 10, CLI_ACTOR)).toMatchObject({ resealed: [] })
    // The way out: delete (with the kept versions) and set it again.
    await ctx.service.delete('A', CLI_ACTOR)
    await ctx.service.create({ name: 'A', value: 'fresh' }, CLI_ACTOR)
    expect(await verify()).toMatchObject({ ok: true })
  })
})

describeEachDialect('concurrent replaces (two processes, one store)', (dialect) => {
  const store = freshStoreEachTest(dialect)

  async function race(mode: 'cas' | 'blind', count: number) {
    const go = join(store.tmp.dir, 'go')
    const workers = await Promise.all(
      ['p', 'q'].map(async (tag) => {
        const proc = Bun.spawn([process.execPath, WORKER, mode, tag, String(count), 'RACED', go], { env: { ...process.env, ...store.env }, stdout: 'pipe', stderr: 'pipe' })
        const reader = proc.stdout.getReader()
        let text = ''
        while (!text.includes('ready\n')) {
          const { value, done } = await reader.read()
          if (done) throw new Error(`worker exited early: ${await new Response(proc.stderr).text()}`)
          text += new TextDecoder().decode(value)
        }
        const out = (async () => {
          for (;;) {
            const { value, done } = await reader.read()
            if (done) return text
            text += new TextDecoder().decode(value)
          }
        })()
        return { proc, out, err: new Response(proc.stderr).text() }
      }),
    )
    // Both stores are open: one file starts both.
    writeFileSync(go, '')
    return Promise.all(
      workers.map(async (w) => {
        expect(await w.err).toBe('')
        expect(await w.proc.exited).toBe(0)
        return JSON.parse((await w.out).trim().split('\n').at(-1)!) as { won: Array<{ value: string; version: number }>; refused: number }
      }),
    )
  }

  test('with the version read (If-Match): for every version exactly one writer wins, the other is refused, nothing is lost', async () => {
    const ctx = await openSecrets(store.env)
    try {
      await ctx.service.create({ name: 'RACED', value: 'v0' }, CLI_ACTOR)
      const results = await race('cas', 40)
      const won = results.flatMap((r) => r.won)
      const versions = won.map((w) => w.version).sort((a, b) => a - b)
      // Each version was written once: no two check-and-set writes that read the same version both won.
      expect(versions).toEqual(Array.from({ length: won.length }, (_, i) => i + 2))
      expect(results.reduce((n, r) => n + r.refused, 0) + won.length).toBe(80)
      expect(results.every((r) => r.refused > 0 || r.won.length === 40)).toBe(true)
      const meta = await ctx.service.get('RACED')
      expect(meta.version).toBe(won.length + 1)
      const last = won.find((w) => w.version === meta.version)!
      expect(await ctx.service.decrypt(await ctx.service.sealed('RACED'), 'cli:test', 'check')).toBe(last.value)
      const rows = await ctx.store.db.selectFrom('secret_access_log').selectAll().where('action', '=', 'replace').orderBy('id').execute()
      expect(rows.map((r) => r.version)).toEqual(versions)
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true })
    } finally {
      await ctx.close()
    }
  })

  test('without a version: every replace wins in turn, the last one stands, and each is audited', async () => {
    const ctx = await openSecrets(store.env)
    try {
      await ctx.service.create({ name: 'RACED', value: 'v0' }, CLI_ACTOR)
      const results = await race('blind', 30)
      const won = results.flatMap((r) => r.won)
      expect(won.length).toBe(60)
      expect(won.map((w) => w.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 2))
      const last = won.find((w) => w.version === 61)!
      expect(await ctx.service.decrypt(await ctx.service.sealed('RACED'), 'cli:test', 'check')).toBe(last.value)
      const rows = await ctx.store.db.selectFrom('secret_access_log').selectAll().where('action', '=', 'replace').orderBy('id').execute()
      expect(rows).toHaveLength(60)
      expect(new Set(rows.map((r) => r.accessor))).toEqual(new Set(['cli:p', 'cli:q']))
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true })
    } finally {
      await ctx.close()
    }
  })
})
