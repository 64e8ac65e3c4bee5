import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { sql } from 'kysely'
import { type SecretsContext } from '../../src/context.ts'
import { CLI_ACTOR, memoryContext } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'

// Point 1 of issue 12: verify accounts for every row of the audit table.
describeEachDialect('audit verify accounts for every row', (dialect) => {
  let ctx: SecretsContext
  beforeEach(async () => {
    ctx = await memoryContext({}, {}, dialect)
    await ctx.service.create({ name: 'A', value: 'alpha' }, CLI_ACTOR)
    await ctx.service.resolveAll(['A'], { accessor: 'hook', reason: 'render' })
    await ctx.service.replace('A', { value: 'alpha2' }, CLI_ACTOR)
  })
  afterEach(() => ctx.close())

  const verify = () => ctx.service.auditLog.verify(ctx.store.db)
  // An exact copy of a row's fields under another id (or the same one).
  const copyRow = (id: number, newId: number | null) =>
    sql`INSERT INTO secret_access_log (id, secret_name, action, accessor, reason, outcome, at, chain, chain_key_id)
        SELECT ${newId}, secret_name, action, accessor, reason, outcome, at, chain, chain_key_id FROM secret_access_log WHERE id = ${id}`.execute(
      ctx.store.db,
    )

  /** Rebuilds the audit table without its primary key, as a database owner can. */
  async function dropPrimaryKey(): Promise<void> {
    await sql`CREATE TABLE log_copy AS SELECT * FROM secret_access_log`.execute(ctx.store.db)
    await sql`DROP TABLE secret_access_log`.execute(ctx.store.db)
    await sql`ALTER TABLE log_copy RENAME TO secret_access_log`.execute(ctx.store.db)
  }

  test('rows with ids of 0 or below are shown in the access log, and verify fails naming them', async () => {
    expect(await verify()).toMatchObject({ ok: true, rows: 3 })
    await copyRow(2, 0)
    await copyRow(2, -5)
    // The access log shows them as if they were history...
    expect((await ctx.service.accessLog('A', { limit: 10 })).map((e) => e.id)).toEqual([3, 2, 1, 0, -5])
    // ...so verify must not say ok.
    const result = await verify()
    expect(result).toMatchObject({ ok: false, problem: 'outside', id: -5 })
    expect((result as { detail: string }).detail).toBe('rows -5, 0 outside the chain: ids start at 1')
  })

  test('a gap at the very start (row 1 deleted) is named as missing', async () => {
    await sql`DELETE FROM secret_access_log WHERE id = 1`.execute(ctx.store.db)
    expect(await verify()).toMatchObject({ ok: false, problem: 'missing', id: 1, detail: 'row 1 missing before row 2' })
  })

  test('a row past the head is named as outside the chain', async () => {
    await copyRow(3, 9)
    expect(await verify()).toMatchObject({ ok: false, problem: 'missing', id: 4, detail: 'row 4 to 8 missing before row 9' })
    await copyRow(3, 4)
    await sql`DELETE FROM secret_access_log WHERE id = 9`.execute(ctx.store.db)
    expect(await verify()).toMatchObject({ ok: false, problem: 'outside', id: 4, detail: 'row 4 lies past the head (last id 3)' })
  })

  test('two rows with one id are named as duplicate (an exact copy, which links like the original)', async () => {
    await dropPrimaryKey()
    await copyRow(2, 2)
    expect(await verify()).toMatchObject({ ok: false, problem: 'duplicate', id: 2 })
  })

  test('a row without an id, which no id range reaches, is counted and named', async () => {
    await dropPrimaryKey()
    await copyRow(2, null)
    expect(await verify()).toMatchObject({ ok: false, problem: 'outside', detail: '1 row(s) without an id, outside the chain' })
  })

  test('the head counts the rows: a head whose count differs from the log fails', async () => {
    // The count is covered by the head's MAC, so it cannot be edited alone; a
    // head that is authentic but counts other rows than the log holds must fail.
    const { truncateWithKey } = await import('../helpers/chain-keys.ts')
    const env = (ctx as unknown as { env: Record<string, string> }).env
    await truncateWithKey(ctx.store.db, env.CLAUDE_HOOKS_SECRET_KEY!, 3)
    expect(await verify()).toMatchObject({ ok: true, rows: 3 })
    await sql`UPDATE audit_chain_head SET row_count = 4`.execute(ctx.store.db)
    expect(await verify()).toMatchObject({ ok: false, problem: 'head' })
  })
})

describe('verify accounts for every row: a large log', () => {
  test('pages through more rows than one page and still counts them all', async () => {
    const ctx = await memoryContext()
    try {
      await ctx.service.create({ name: 'A', value: 'alpha' }, CLI_ACTOR)
      const row = await ctx.service.sealed('A')
      for (let i = 0; i < 4100; i += 500) {
        await ctx.service.resolveAll(['A'], { accessor: 'hook', reason: 'render' })
      }
      const { writeTransaction } = await import('../../src/store/transaction.ts')
      await writeTransaction(ctx.store.db, (trx) =>
        ctx.service.auditLog.append(
          trx,
          Array.from({ length: 4100 }, (_, i) => ({ secret_name: row.name, action: 'read' as const, accessor: 'bulk', reason: `r${i}`, outcome: 'ok' as const, at: '2026-01-01T00:00:00.000Z' })),
        ),
      )
      const total = 1 + 9 + 4100
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true, rows: total })
      await sql`INSERT INTO secret_access_log (id, secret_name, action, accessor, reason, outcome, at, chain, chain_key_id)
                SELECT 0, secret_name, action, accessor, reason, outcome, at, chain, chain_key_id FROM secret_access_log WHERE id = 2500`.execute(ctx.store.db)
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: false, problem: 'outside', id: 0 })
    } finally {
      await ctx.close()
    }
  })
})
