import { afterEach, beforeEach, expect, test } from 'bun:test'
import { sql } from 'kysely'
import { createHmac, hkdfSync } from 'node:crypto'
import { join } from 'node:path'
import { AuditLog } from '../../src/audit/audit-log.ts'
import { openSecrets } from '../../src/context.ts'
import { Keyring } from '../../src/crypto/keyring.ts'
import { legacyStore, LEGACY_KEYS } from '../fixtures/legacy-store/load.ts'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'
import { rawKey } from '../helpers/keys.ts'

// Point 4 of issue 12: a store written by the code before migration 0006
// (test/fixtures/legacy-store, made with commit dd1d5d1) keeps verifying.
describeEachDialect('audit chain of a store from before 0006', (dialect) => {
  let tmp: ReturnType<typeof tempDir>
  let store: { url: string; drop: () => Promise<void> }
  let env: Record<string, string>
  const LEGACY_ROWS = 10
  // The first keyed open after the upgrade to versions (0010) writes one `baseline` row per secret (B and C).
  const BASELINE = 2
  beforeEach(async () => {
    tmp = tempDir()
    store = await legacyStore(dialect, join(tmp.dir, 's.db'))
    env = { CLAUDE_HOOKS_SECRET_KEY: LEGACY_KEYS.second, CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: LEGACY_KEYS.first, DATABASE_URL: store.url }
  })
  afterEach(async () => {
    await store.drop()
    tmp.cleanup()
  })

  test('verifies right after the upgrade, with its head now authenticated, and as it grows', async () => {
    const ctx = await openSecrets(env)
    try {
      const rows = await ctx.store.db.selectFrom('secret_access_log').selectAll().orderBy('id').execute()
      expect(rows).toHaveLength(LEGACY_ROWS + BASELINE)
      expect(new Set(rows.slice(0, LEGACY_ROWS).map((r) => r.chain_key_id)).size).toBe(2)
      expect(rows.slice(LEGACY_ROWS).map((r) => [r.action, r.secret_name, r.version])).toEqual([['baseline', 'B', 1], ['baseline', 'C', 1]])
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true, rows: LEGACY_ROWS + BASELINE })
      const head = await ctx.store.db.selectFrom('audit_chain_head').selectAll().executeTakeFirstOrThrow()
      expect(head.mac).toMatch(/^[0-9a-f]{64}$/)
      // The old key's rows are registered as derived keys, in order, and sealed under the current key.
      const keys = await ctx.store.db.selectFrom('audit_chain_key').selectAll().orderBy('seq').execute()
      expect(keys.map((k) => [k.kind, k.sealed_by])).toEqual([
        ['derived', ctx.keyring.current.id],
        ['derived', ctx.keyring.current.id],
        ['random', ctx.keyring.current.id],
      ])
      await ctx.service.resolveAll(['B', 'C'], { accessor: 'hook', reason: 'after the upgrade' })
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true, rows: LEGACY_ROWS + BASELINE + 2 })
    } finally {
      await ctx.close()
    }
    const cli = await runCli(['audit', 'verify'], { env })
    expect(cli.stdout).toStartWith(`ok: ${LEGACY_ROWS + BASELINE + 2} rows`)
  })

  test('the pre-upgrade rows are still the ones that code wrote: an edit of one is caught after the upgrade', async () => {
    const ctx = await openSecrets(env)
    try {
      await sql`UPDATE secret_access_log SET accessor = 'someone-else' WHERE id = 3`.execute(ctx.store.db)
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: false, id: 3, problem: 'changed' })
    } finally {
      await ctx.close()
    }
  })

  test('after rotate --all the current key alone verifies every row, old ones included', async () => {
    expect((await runCli(['rotate', '--all'], { env })).code).toBe(0)
    const alone = { CLAUDE_HOOKS_SECRET_KEY: LEGACY_KEYS.second, DATABASE_URL: store.url }
    const r = await runCli(['audit', 'verify'], { env: alone })
    // rotate --all moved B and C to the version-bound additional data (one `rotate` row each),
    // then re-sealed the versions it kept of them (one `reseal` row each).
    expect(r.stdout).toStartWith(`ok: ${LEGACY_ROWS + BASELINE + 4} rows`)
    const keys = JSON.parse((await runCli(['keys', '--json'], { env })).stdout).keys
    expect(keys[1]).toMatchObject({ current: false, secrets: 0, audit: false, removable: true })
    const ctx = await openSecrets(alone)
    try {
      await sql`UPDATE secret_access_log SET reason = 'edited' WHERE id = 1`.execute(ctx.store.db)
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: false, id: 1, problem: 'changed' })
    } finally {
      await ctx.close()
    }
  })

  test('upgraded by a command without the master key: the head is sealed by the first keyed command (its baseline rows), and verify names the wait before', async () => {
    // `secrets operator` opens the store without the master key: it migrates, cannot seal.
    expect((await runCli(['operator', 'list'], { env: { DATABASE_URL: store.url } })).code).toBe(0)
    const { openStore } = await import('../../src/store/database.ts')
    const raw = await openStore(store.url)
    try {
      const keyring = await Keyring.fromRawKeys(rawKey(LEGACY_KEYS.second), [rawKey(LEGACY_KEYS.first)])
      expect(await new AuditLog(keyring).verify(raw.db)).toMatchObject({ ok: false, problem: 'head' })
    } finally {
      await raw.close()
    }
    const c = await openSecrets(env)
    try {
      expect(await c.service.auditLog.verify(c.store.db)).toMatchObject({ ok: true, rows: LEGACY_ROWS + BASELINE })
      await c.service.resolveAll(['B'], { accessor: 'hook', reason: 'first after the upgrade' })
      expect(await c.service.auditLog.verify(c.store.db)).toMatchObject({ ok: true, rows: LEGACY_ROWS + BASELINE + 1 })
    } finally {
      await c.close()
    }
  })

  test('without rotate --all, the current key alone still checks the rows it can, past the unverifiable ones', async () => {
    const ctx = await openSecrets(env)
    await ctx.close()
    // A store where the first key's derived chain key was never sealed (as if upgraded without that key configured).
    const c = await openSecrets({ CLAUDE_HOOKS_SECRET_KEY: LEGACY_KEYS.second, DATABASE_URL: store.url })
    try {
      const firstId = (await Keyring.fromRawKeys(rawKey(LEGACY_KEYS.first))).current.id
      await c.store.db.updateTable('audit_chain_key').set({ sealed_by: null, sealed: null }).where('id', '=', firstId).execute()
      const alone = c.service.auditLog
      expect(await alone.verify(c.store.db)).toMatchObject({ ok: false, id: 1, problem: 'unverifiable' })
      // A row chained under the second key (after the rotation in the fixture) edited: named, not hidden behind row 1.
      const last = await c.store.db
        .selectFrom('secret_access_log')
        .selectAll()
        .where('chain_key_id', '=', c.keyring.current.id)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow()
      await sql`UPDATE secret_access_log SET reason = 'edited' WHERE id = ${last.id}`.execute(c.store.db)
      expect(await alone.verify(c.store.db)).toMatchObject({ ok: false, id: Number(last.id), problem: 'changed' })
    } finally {
      await c.close()
    }
  })

  test('a retired key cannot append a row under its old derived chain key after the newer rows', async () => {
    const ctx = await openSecrets(env)
    try {
      await ctx.service.resolveAll(['B'], { accessor: 'hook', reason: 'after the upgrade' })
      // The attacker holds the first (retired) master key: the pre-0006 chain key is HKDF of it.
      const key = Buffer.from(hkdfSync('sha256', rawKey(LEGACY_KEYS.first), 'claude-hooks-secrets audit-chain v1', 'audit-chain', 32))
      const firstId = (await Keyring.fromRawKeys(rawKey(LEGACY_KEYS.first))).current.id
      const last = await ctx.store.db.selectFrom('secret_access_log').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow()
      const id = Number(last.id) + 1
      const row = { id, secret_name: 'B', action: 'read', accessor: 'nobody', reason: 'cover', outcome: 'ok', at: last.at, chain_key_id: firstId }
      const chain = createHmac('sha256', key)
        .update(Buffer.from(last.chain!, 'hex'))
        .update(JSON.stringify([1, row.id, row.secret_name, row.action, row.accessor, row.reason, row.outcome, row.at, row.chain_key_id]))
        .digest('hex')
      await ctx.store.db.insertInto('secret_access_log').values({ ...row, action: 'read', outcome: 'ok', chain }).execute()
      await ctx.store.db.updateTable('audit_chain_head').set({ last_id: id, chain, row_count: id }).execute()
      const both = new AuditLog(await Keyring.fromRawKeys(rawKey(LEGACY_KEYS.second), [rawKey(LEGACY_KEYS.first)]))
      expect(await both.verify(ctx.store.db)).toMatchObject({ ok: false, id, problem: 'older-key' })
    } finally {
      await ctx.close()
    }
  })
})
