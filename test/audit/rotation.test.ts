import { afterEach, beforeEach, expect, test } from 'bun:test'
import { sql } from 'kysely'
import { createHmac } from 'node:crypto'
import { join } from 'node:path'
import { AuditLog } from '../../src/audit/audit-log.ts'
import { Keyring } from '../../src/crypto/keyring.ts'
import { SecretsService } from '../../src/secrets/service.ts'
import { type SecretsContext } from '../../src/context.ts'
import { headMacIndependently, openChainKeyIndependently } from '../helpers/chain-keys.ts'
import { runCli } from '../helpers/cli.ts'
import { CLI_ACTOR, memoryContext, tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey, rawKey } from '../helpers/keys.ts'

// Point 3 of issue 12: the chain survives a master-key rotation.
describeEachDialect('audit chain across a master-key rotation', (dialect) => {
  let ctx: SecretsContext & { env: Record<string, string | undefined> }
  let oldKey: string
  const newKey = randomKey()
  beforeEach(async () => {
    ctx = await memoryContext({}, {}, dialect)
    oldKey = ctx.env.CLAUDE_HOOKS_SECRET_KEY!
    await ctx.service.create({ name: 'A', value: 'alpha' }, CLI_ACTOR)
    await ctx.service.create({ name: 'B', value: 'beta' }, CLI_ACTOR)
    await ctx.service.resolveAll(['A', 'B'], { accessor: 'hook', reason: 'render' })
  })
  afterEach(() => ctx.close())

  const keyring = async (current: string, previous: string[] = []) => Keyring.fromRawKeys(rawKey(current), previous.map(rawKey))
  async function rotateAll(service: SecretsService): Promise<void> {
    let after = ''
    for (;;) {
      const r = await service.rotateBatch(after, 1, CLI_ACTOR)
      if (r.last === undefined) break
      after = r.last
    }
  }
  const rows = () => ctx.store.db.selectFrom('secret_access_log').selectAll().orderBy('id').execute()

  test('after rotate --all, the current key alone checks every row, and an edit of any row is caught', async () => {
    const next = new SecretsService({ db: ctx.store.db, keyring: await keyring(newKey, [oldKey]) })
    await rotateAll(next)
    await next.resolveAll(['A'], { accessor: 'hook', reason: 'after' })
    const alone = new AuditLog(await keyring(newKey))
    expect(await alone.verify(ctx.store.db)).toMatchObject({ ok: true, rows: 7 })
    await sql`UPDATE secret_access_log SET reason = 'edited' WHERE id = 2`.execute(ctx.store.db)
    expect(await alone.verify(ctx.store.db)).toMatchObject({ ok: false, id: 2, problem: 'changed' })
  })

  test('the rows after rotate --all are chained under a new chain key sealed under the new master key; the old one is re-sealed', async () => {
    const before = (await rows()).at(-1)!.chain_key_id!
    const next = new SecretsService({ db: ctx.store.db, keyring: await keyring(newKey, [oldKey]) })
    await rotateAll(next)
    const after = (await rows()).at(-1)!.chain_key_id!
    expect(after).not.toBe(before)
    const keys = await ctx.store.db.selectFrom('audit_chain_key').selectAll().orderBy('seq').execute()
    expect(keys.map((k) => [k.id, k.kind, k.sealed_by])).toEqual([
      [before, 'random', next.currentKeyId],
      [after, 'random', next.currentKeyId],
    ])
    // Opened from the documented format with the new master key alone.
    expect((await openChainKeyIndependently(ctx.store.db, before, newKey)).length).toBe(32)
    // Idempotent: another rotate --all starts no further key.
    await rotateAll(next)
    expect(await ctx.store.db.selectFrom('audit_chain_key').select('id').execute()).toHaveLength(2)
  })

  test('before rotate --all the old key is still needed; after it, it can be removed', async () => {
    const tmp = tempDir()
    const db = await freshDatabase(dialect, `file:${join(tmp.dir, 's.db')}`)
    try {
      const first = { CLAUDE_HOOKS_SECRET_KEY: oldKey, DATABASE_URL: db.url }
      expect((await runCli(['set', 'A'], { env: first, stdin: 'x' })).code).toBe(0)
      const both = { CLAUDE_HOOKS_SECRET_KEY: newKey, CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: oldKey, DATABASE_URL: db.url }
      // Every secret rotated one by one: no secret is left under the old key, the audit chain still needs it.
      expect((await runCli(['rotate', 'A'], { env: both })).code).toBe(0)
      const mid = JSON.parse((await runCli(['keys', '--json'], { env: both })).stdout).keys
      // The value A had before the rotation is kept (version 1), still under the old key.
      expect(mid[1]).toMatchObject({ current: false, secrets: 0, versions: 1, audit: true, removable: false })
      expect((await runCli(['keys'], { env: both })).stdout).toContain('still needed: run `secrets rotate --all`')
      expect((await runCli(['rotate', '--all'], { env: both })).code).toBe(0)
      const done = JSON.parse((await runCli(['keys', '--json'], { env: both })).stdout).keys
      expect(done[1]).toMatchObject({ current: false, secrets: 0, versions: 0, audit: false, removable: true })
      const alone = await runCli(['audit', 'verify'], { env: { CLAUDE_HOOKS_SECRET_KEY: newKey, DATABASE_URL: db.url } })
      expect(alone.code).toBe(0)
      // create, rotate, and the kept version 1 re-sealed by rotate --all (`reseal`).
      expect(alone.stdout).toStartWith('ok: 3 rows')
    } finally {
      await db.drop()
      tmp.cleanup()
    }
  })

  test('a leaked retired key cannot append: rows under an older chain key than the row before them are refused', async () => {
    // The attacker kept a copy of the chain key sealed under the old master key (a backup from before the rotation).
    const oldRecord = await ctx.store.db.selectFrom('audit_chain_key').selectAll().executeTakeFirstOrThrow()
    const next = new SecretsService({ db: ctx.store.db, keyring: await keyring(newKey, [oldKey]) })
    await rotateAll(next)
    // With the retired master key and that copy: open the old chain key, put the old seal back, append a
    // row under it, and authenticate the head under it.
    const oldChainKey = await openChainKeyIndependently(ctx.store.db, oldRecord.id, newKey)
    await ctx.store.db.updateTable('audit_chain_key').set({ sealed_by: oldRecord.sealed_by, sealed: oldRecord.sealed }).where('id', '=', oldRecord.id).execute()
    const last = (await rows()).at(-1)!
    const id = Number(last.id) + 1
    const row = { id, secret_name: 'A', action: 'read', accessor: 'nobody', reason: 'cover', outcome: 'ok', at: last.at, chain_key_id: oldRecord.id }
    const chain = createHmac('sha256', oldChainKey)
      .update(Buffer.from(last.chain!, 'hex'))
      .update(JSON.stringify([1, row.id, row.secret_name, row.action, row.accessor, row.reason, row.outcome, row.at, row.chain_key_id]))
      .digest('hex')
    await ctx.store.db.insertInto('secret_access_log').values({ ...row, action: 'read', outcome: 'ok', chain }).execute()
    const head = { last_id: id, chain, row_count: id, chain_key_id: oldRecord.id }
    await ctx.store.db
      .updateTable('audit_chain_head')
      .set({ last_id: id, chain, row_count: id, chain_key: JSON.stringify({ ...oldRecord, seq: Number(oldRecord.seq) }), mac: headMacIndependently(oldChainKey, head) })
      .execute()
    // Even with the retired key configured (so that old chain key opens), the row is refused.
    const withOld = new AuditLog(await keyring(newKey, [oldKey]))
    expect(await withOld.verify(ctx.store.db)).toMatchObject({
      ok: false,
      id,
      problem: 'older-key',
      detail: `row ${id} is chained under chain key ${oldRecord.id}, older than the key of the row before it`,
    })
  })

  test('after the rotation, a writer with the retired key alone cannot append: refused, nothing written', async () => {
    const next = new SecretsService({ db: ctx.store.db, keyring: await keyring(newKey, [oldKey]) })
    await rotateAll(next)
    const before = await rows()
    const stale = new AuditLog(await keyring(oldKey))
    const { writeTransaction } = await import('../../src/store/transaction.ts')
    const entry = { secret_name: 'A', action: 'read' as const, accessor: 'old', reason: 'r', outcome: 'ok' as const, at: '2026-01-01T00:00:00.000Z' }
    const error = await writeTransaction(ctx.store.db, (trx) => stale.append(trx, [entry])).catch((e: Error) => e)
    expect(error).toMatchObject({ code: 'decrypt_failed' })
    expect((error as Error).message).toBe(`the audit chain key ${before.at(-1)!.chain_key_id} is sealed under master key ${next.currentKeyId}, which is not configured`)
    expect(await rows()).toEqual(before)
    expect(await new AuditLog(await keyring(newKey)).verify(ctx.store.db)).toMatchObject({ ok: true, rows: before.length })
  })
})
