import { afterEach, beforeEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import { openSecrets } from '../../src/context.ts'
import { store0009, STORE_0009 } from '../fixtures/legacy-store/load.ts'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'

// Issue 16: a store made by the code before versions (test/fixtures/legacy-store/store-0009.json,
// made with commit 6ca4fe5) keeps every secret and verifies after the upgrade.
describeEachDialect('upgrade of a store from before versions (0009 to 0010)', (dialect) => {
  let tmp: ReturnType<typeof tempDir>
  let store: { url: string; drop: () => Promise<void> }
  let env: Record<string, string>
  beforeEach(async () => {
    tmp = tempDir()
    store = await store0009(dialect, join(tmp.dir, 's.db'))
    env = { CLAUDE_HOOKS_SECRET_KEY: STORE_0009.keys.second, CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: STORE_0009.keys.first, DATABASE_URL: store.url }
  })
  afterEach(async () => {
    await store.drop()
    tmp.cleanup()
  })

  test('every secret decrypts, at version 1 under the old additional data, and verify passes with one baseline row each', async () => {
    const ctx = await openSecrets(env)
    try {
      const names = Object.keys(STORE_0009.values).sort()
      expect((await ctx.service.list()).map((s) => [s.name, s.version])).toEqual(names.map((n) => [n, 1]))
      for (const name of names) expect(await ctx.service.decrypt(await ctx.service.sealed(name), 'cli:test', 'upgrade')).toBe(STORE_0009.values[name]!)
      const baseline = await ctx.store.db.selectFrom('secret_access_log').selectAll().where('action', '=', 'baseline').orderBy('id').execute()
      expect(baseline.map((r) => [r.secret_name, r.version])).toEqual(names.map((n) => [n, 1]))
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true })
    } finally {
      await ctx.close()
    }
    // A second open writes no second baseline.
    const again = await openSecrets(env)
    try {
      expect(await again.store.db.selectFrom('secret_access_log').select('id').where('action', '=', 'baseline').execute()).toHaveLength(4)
    } finally {
      await again.close()
    }
    const cli = await runCli(['audit', 'verify'], { env })
    expect(cli.code).toBe(0)
  })

  test('rotate --all moves every row to the version-bound additional data; a pre-upgrade ciphertext put back decrypts, and verify names it', async () => {
    const before = await openSecrets(env)
    const oldA = await before.store.db.selectFrom('secret').selectAll().where('name', '=', 'A').executeTakeFirstOrThrow()
    await before.close()
    const r = await runCli(['rotate', '--all'], { env })
    expect(r.code).toBe(0)
    const ctx = await openSecrets(env)
    try {
      const rows = await ctx.store.db.selectFrom('secret').select(['name', 'aad_format', 'version', 'key_id']).orderBy('name').execute()
      expect(rows.every((row) => row.aad_format === 2 && row.version === 2 && row.key_id === ctx.keyring.current.id)).toBe(true)
      const kept = await ctx.store.db.selectFrom('secret_version').select(['aad_format', 'key_id']).execute()
      expect(kept.every((k) => k.aad_format === 2 && k.key_id === ctx.keyring.current.id)).toBe(true)
      for (const [name, value] of Object.entries(STORE_0009.values)) {
        expect(await ctx.service.decrypt(await ctx.service.sealed(name), 'cli:test', 'after rotate')).toBe(value)
      }
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true })
      // The row A had before the upgrade, put back whole: format 1 binds the name only, so it decrypts.
      await ctx.store.db.updateTable('secret').set({ ciphertext: oldA.ciphertext, iv: oldA.iv, auth_tag: oldA.auth_tag, key_id: oldA.key_id, version: 1, aad_format: 1 }).where('name', '=', 'A').execute()
      expect(await ctx.service.decrypt(await ctx.service.sealed('A'), 'cli:test', 'replayed')).toBe('alpha2')
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: false, problem: 'secret', secret: 'A' })
    } finally {
      await ctx.close()
    }
    const cli = await runCli(['audit', 'verify'], { env })
    expect(cli.code).toBe(1)
    expect(cli.stdout).toStartWith('broken: secret A: secret A holds version 1, but its last audited mutation wrote version 2')
    // rotate --all would move it to v2 and make the log vouch for it: it refuses, and verify still names it.
    const again = await runCli(['rotate', '--all'], { env })
    expect(again.code).toBe(1)
    expect(again.stdout).toContain('  failed A: row_not_audited\n')
    expect((await runCli(['audit', 'verify'], { env })).stdout).toStartWith('broken: secret A:')
  })
})
