import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import type { Kysely } from 'kysely'
import { AuditBatcher, type AuditAppender, MAX_BATCH_ROWS } from '../../src/audit/audit-batcher.ts'
import type { AuditEntry } from '../../src/audit/audit-log.ts'
import { join } from 'node:path'
import { openSecrets, type SecretsContext } from '../../src/context.ts'
import { AuditWriteError } from '../../src/errors.ts'
import { resolveAll } from '../../src/secrets/reads.ts'
import type { Database } from '../../src/store/schema.ts'
import { runCli } from '../helpers/cli.ts'
import { CLI_ACTOR, memoryContext, tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'

const entry = (request: number, i = 0): AuditEntry => ({
  secret_name: `S${i}`,
  action: 'read',
  accessor: `client:c${request}`,
  label: null,
  reason: `request ${request}`,
  outcome: 'ok',
  at: '2026-01-01T00:00:00.000Z',
})

/** Waits (polling, never a fixed sleep) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5))
}

/**
 * The real log behind a gate: the first call waits inside its transaction
 * until `open()`, so the test knows a batch is committing while it queues
 * more; `failOn` makes the call with that number throw after the real
 * append wrote its rows in the transaction (so the rollback is what keeps
 * them out).
 */
function gatedLog(real: AuditAppender, failOn?: number) {
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const calls: number[] = []
  const log: AuditAppender = {
    async append(trx: Kysely<Database>, rows: readonly AuditEntry[]) {
      calls.push(rows.length)
      const n = calls.length
      if (n === 1) await gate
      await real.append(trx, rows)
      if (n === failOn) throw new Error('injected commit failure')
    },
  }
  return { log, calls, open: () => release() }
}

describeEachDialect('audit batcher', (dialect) => {
  let ctx: SecretsContext
  beforeEach(async () => {
    ctx = await memoryContext({}, {}, dialect)
  })
  afterEach(() => ctx.close())

  const rows = () => ctx.store.db.selectFrom('secret_access_log').selectAll().orderBy('id').execute()
  const head = () => ctx.service.auditLog.head(ctx.store.db)

  test('requests that arrive while a batch commits wait and go together in the next batch: one transaction, rows chained in arrival order', async () => {
    const gated = gatedLog(ctx.service.auditLog)
    const batcher = new AuditBatcher(ctx.store.db, gated.log)
    const first = batcher.append([entry(0)])
    await until(() => gated.calls.length === 1)
    const rest = [1, 2, 3, 4, 5].map((r) => batcher.append([entry(r, 0), entry(r, 1)]))
    expect(batcher.waiting).toBe(5)
    let settled = false
    void Promise.all(rest).then(() => (settled = true))
    await new Promise((r) => setTimeout(r, 20))
    expect(settled).toBe(false)
    gated.open()
    await Promise.all([first, ...rest])
    expect(gated.calls).toEqual([1, 10])
    expect(batcher.stats).toEqual({ batches: 2, requests: 6, rows: 11, failedBatches: 0 })
    const written = await rows()
    expect(written.map((r) => `${r.accessor}/${r.secret_name}`)).toEqual([
      'client:c0/S0',
      ...[1, 2, 3, 4, 5].flatMap((r) => [`client:c${r}/S0`, `client:c${r}/S1`]),
    ])
    expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true, rows: 11 })
  })

  test('a batch that fails rejects every request in it, writes none of their rows and leaves the head as it was; the next batch commits', async () => {
    const gated = gatedLog(ctx.service.auditLog, 2)
    const batcher = new AuditBatcher(ctx.store.db, gated.log)
    const first = batcher.append([entry(0)])
    await until(() => gated.calls.length === 1)
    const doomed = [1, 2, 3].map((r) => batcher.append([entry(r)]))
    const outcomes = Promise.allSettled(doomed)
    gated.open()
    await first
    const headBefore = await head()
    const results = await outcomes
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
    for (const r of results) expect((r as PromiseRejectedResult).reason.message).toBe('injected commit failure')
    expect(await head()).toEqual(headBefore)
    expect((await rows()).map((r) => r.accessor)).toEqual(['client:c0'])
    await batcher.append([entry(4)])
    expect(gated.calls).toEqual([1, 3, 1])
    expect(batcher.stats).toEqual({ batches: 2, requests: 2, rows: 2, failedBatches: 1 })
    expect((await rows()).map((r) => r.accessor)).toEqual(['client:c0', 'client:c4'])
    expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true, rows: 2 })
  })

  test('a batch whose transaction cannot even begin rejects the requests waiting, and the batcher goes on (no spin, no hang)', async () => {
    const other = await memoryContext({}, {}, dialect)
    const batcher = new AuditBatcher(other.store.db, other.service.auditLog)
    await other.store.db.destroy()
    try {
      const results = await Promise.allSettled([batcher.append([entry(1)]), batcher.append([entry(2)])])
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
      await expect(batcher.append([entry(3)])).rejects.toBeDefined()
      expect(batcher.waiting).toBe(0)
      expect(batcher.stats.batches).toBe(0)
      expect(batcher.stats.failedBatches).toBeGreaterThanOrEqual(2)
    } finally {
      await other.close().catch(() => {})
    }
  })

  test('a request with no rows resolves at once and commits nothing', async () => {
    const batcher = new AuditBatcher(ctx.store.db, ctx.service.auditLog)
    await batcher.append([])
    expect(batcher.stats).toEqual({ batches: 0, requests: 0, rows: 0, failedBatches: 0 })
  })

  describe('reads through a batcher (secrets/reads.ts resolveAll)', () => {
    const depsWith = (batcher: AuditBatcher) => ({ db: ctx.store.db, keyring: ctx.keyring, auditLog: ctx.service.auditLog, auditBatcher: batcher, now: () => new Date(), versionsKept: 10 })
    const actor = (i: number) => ({ accessor: `client:c${i}`, reason: `request ${i}` })

    test('fifty reads started together share a few transactions, not one each (the batcher waits a loop turn for them)', async () => {
      for (const name of ['A', 'B', 'C']) await ctx.service.create({ name, value: `v-${name}` }, CLI_ACTOR)
      const batcher = new AuditBatcher(ctx.store.db, ctx.service.auditLog)
      const deps = depsWith(batcher)
      const reads = await Promise.all(Array.from({ length: 50 }, (_, i) => resolveAll(deps, ['A', 'B', 'C'], actor(i))))
      expect(reads.map((v) => new TextDecoder().decode(v.get('C')))).toEqual(Array(50).fill('v-C'))
      expect(batcher.stats).toMatchObject({ requests: 50, rows: 150, failedBatches: 0 })
      expect(batcher.stats.batches).toBeLessThan(25)
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true, rows: 3 + 150 })
    })

    test('no read returns its values before the batch holding its rows committed', async () => {
      await ctx.service.create({ name: 'A', value: 'alpha' }, CLI_ACTOR)
      const gated = gatedLog(ctx.service.auditLog)
      const deps = depsWith(new AuditBatcher(ctx.store.db, gated.log))
      let returned = 0
      const reads = [0, 1, 2].map((i) => resolveAll(deps, ['A'], actor(i)).then((v) => (returned++, v)))
      await until(() => gated.calls.length === 1)
      await new Promise((r) => setTimeout(r, 20))
      expect(returned).toBe(0)
      gated.open()
      for (const values of await Promise.all(reads)) expect(new TextDecoder().decode(values.get('A'))).toBe('alpha')
      expect(gated.calls.reduce((a, b) => a + b, 0)).toBe(3)
    })

    test('a read whose batch failed rejects with AuditWriteError and no values, and its rows are not written; the reads of other batches are', async () => {
      await ctx.service.create({ name: 'A', value: 'alpha' }, CLI_ACTOR)
      const gated = gatedLog(ctx.service.auditLog, 1)
      gated.open()
      const deps = depsWith(new AuditBatcher(ctx.store.db, gated.log))
      const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => resolveAll(deps, ['A'], actor(i))))
      const delivered: string[] = []
      for (const [i, r] of results.entries()) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AuditWriteError)
        else {
          expect(new TextDecoder().decode(r.value.get('A'))).toBe('alpha')
          delivered.push(`client:c${i}`)
        }
      }
      expect(delivered.length).toBeLessThan(6)
      expect(deps.auditBatcher.stats.failedBatches).toBe(1)
      expect((await rows()).filter((r) => r.action === 'read').map((r) => r.accessor).sort()).toEqual(delivered.sort())
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true, rows: 1 + delivered.length })
    })
  })

  describe('batch size', () => {
    test(`a batch takes whole requests up to ${MAX_BATCH_ROWS} rows; the rest go in the next`, async () => {
      const gated = gatedLog(ctx.service.auditLog)
      const batcher = new AuditBatcher(ctx.store.db, gated.log)
      const first = batcher.append([entry(0)])
      await until(() => gated.calls.length === 1)
      const big = (r: number, n: number) => Array.from({ length: n }, (_, i) => entry(r, i))
      const rest = [batcher.append(big(1, MAX_BATCH_ROWS - 10)), batcher.append(big(2, 20)), batcher.append(big(3, 5))]
      gated.open()
      await Promise.all([first, ...rest])
      expect(gated.calls).toEqual([1, MAX_BATCH_ROWS - 10, 25])
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true, rows: 1 + MAX_BATCH_ROWS + 15 })
    })
  })
})

describeEachDialect('audit batcher, two processes on one store', (dialect) => {
  test('two processes each batching concurrent reads extend one chain: every row once, verify passes, each process committed fewer transactions than requests', async () => {
    const tmp = tempDir()
    const db = await freshDatabase(dialect, `file:${join(tmp.dir, 's.db')}`)
    const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
    const COUNT = 60
    try {
      const setup = await openSecrets(env)
      await setup.service.create({ name: 'SHARED', value: 'v' }, CLI_ACTOR)
      await setup.service.create({ name: 'OTHER', value: 'w' }, CLI_ACTOR)
      await setup.close()
      const worker = join(import.meta.dir, '..', 'fixtures', 'delivery-writer.ts')
      const procs = [1, 2].map((n) =>
        Bun.spawn([process.execPath, worker, String(n), String(COUNT)], { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' }),
      )
      const codes = await Promise.all(procs.map((p) => p.exited))
      for (const p of procs) expect(await new Response(p.stderr).text()).toBe('')
      expect(codes).toEqual([0, 0])
      for (const p of procs) {
        const stats = JSON.parse(await new Response(p.stdout).text())
        expect(stats).toMatchObject({ requests: COUNT, rows: 2 * COUNT, failedBatches: 0 })
        expect(stats.batches).toBeLessThan(COUNT)
      }
      const check = await openSecrets(env)
      const written = await check.store.db.selectFrom('secret_access_log').select(['accessor', 'reason', 'secret_name']).execute()
      await check.close()
      const reads = written.filter((r) => r.accessor.startsWith('client:')).map((r) => `${r.accessor}|${r.reason}|${r.secret_name}`)
      expect(new Set(reads).size).toBe(2 * 2 * COUNT)
      expect(reads.length).toBe(2 * 2 * COUNT)
      const cli = await runCli(['audit', 'verify'], { env })
      expect(cli.code).toBe(0)
      expect(cli.stdout).toStartWith(`ok: ${2 + 2 * 2 * COUNT} rows`)
    } finally {
      await db.drop()
      tmp.cleanup()
    }
  })
})
