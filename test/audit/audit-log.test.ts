import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { sql } from 'kysely'
import { createHmac } from 'node:crypto'
import { join } from 'node:path'
import { Keyring } from '../../src/crypto/keyring.ts'
import { openSecrets, type SecretsContext } from '../../src/context.ts'
import { AuditLog } from '../../src/audit/audit-log.ts'
import { CLI_ACTOR, memoryContext, tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey, rawKey } from '../helpers/keys.ts'
import { headMacIndependently, openChainKeyIndependently } from '../helpers/chain-keys.ts'
import { runCli } from '../helpers/cli.ts'

describeEachDialect('audit log', (dialect) => {
  let ctx: SecretsContext & { env: Record<string, string | undefined> }
  beforeEach(async () => {
    ctx = await memoryContext({}, {}, dialect)
  })
  afterEach(() => ctx.close())

  const rows = () => ctx.store.db.selectFrom('secret_access_log').selectAll().orderBy('id').execute()
  const verify = () => ctx.service.auditLog.verify(ctx.store.db)

  async function someHistory(): Promise<void> {
    await ctx.service.create({ name: 'A', value: 'alpha' }, CLI_ACTOR)
    await ctx.service.create({ name: 'B', value: 'beta' }, CLI_ACTOR)
    await ctx.service.resolveAll(['A', 'B'], { accessor: 'hook', reason: 'render' })
    await ctx.service.replace('A', { value: 'alpha2' }, CLI_ACTOR)
    await ctx.service.rotate('B', CLI_ACTOR)
    await ctx.service.delete('A', CLI_ACTOR)
  }

  describe('the chain', () => {
    test('each link is HMAC-SHA256(chain key, previous link || canonical JSON row), the chain key opened and the links and head MAC recomputed independently', async () => {
      await someHistory()
      const all = await rows()
      expect(all.length).toBe(7)
      const chainKeyId = all[0]!.chain_key_id!
      const key = await openChainKeyIndependently(ctx.store.db, chainKeyId, ctx.env.CLAUDE_HOOKS_SECRET_KEY!)
      let prev = Buffer.alloc(32)
      for (const r of all) {
        // Mutations carry their version and ciphertext hash (encoding 4, migration 0010); reads do not (encoding 1).
        const v1 = [r.id, r.secret_name, r.action, r.accessor, r.reason, r.outcome, r.at, r.chain_key_id]
        const canonical = JSON.stringify(r.version === null ? [1, ...v1] : [4, ...v1, null, null, null, r.version, r.ciphertext_sha256])
        expect(r.version === null).toBe(r.action === 'read')
        const link = createHmac('sha256', key).update(prev).update(canonical).digest('hex')
        expect(r.chain).toBe(link)
        expect(r.chain_key_id).toBe(chainKeyId)
        prev = Buffer.from(link, 'hex')
      }
      // The chain key is the chain's own, not the master key's.
      expect(chainKeyId).not.toBe(ctx.keyring.current.id)
      expect(await ctx.service.auditLog.head(ctx.store.db)).toEqual({ last_id: 7, chain: prev.toString('hex'), rows: 7 })
      const head = await ctx.store.db.selectFrom('audit_chain_head').selectAll().executeTakeFirstOrThrow()
      expect(head.mac).toBe(headMacIndependently(key, { last_id: 7, chain: prev.toString('hex'), row_count: 7, chain_key_id: chainKeyId }))
    })

    test('a row with a label is encoded as [2, ..., chain_key_id, label]; adding, changing or clearing a label is named as changed', async () => {
      await ctx.service.create({ name: 'A', value: 'alpha' }, CLI_ACTOR)
      await ctx.service.resolveAll(['A'], { accessor: 'cli:alice', label: 'operator:bob', reason: 'render' })
      await ctx.service.resolveAll(['A'], { accessor: 'cli:alice', reason: 'render' })
      const all = await rows()
      const key = await openChainKeyIndependently(ctx.store.db, all[0]!.chain_key_id!, ctx.env.CLAUDE_HOOKS_SECRET_KEY!)
      let prev = Buffer.alloc(32)
      expect(all.map((r) => [r.accessor, r.label])).toEqual([['cli:test', null], ['cli:alice', 'operator:bob'], ['cli:alice', null]])
      for (const r of all) {
        const fields = [r.id, r.secret_name, r.action, r.accessor, r.reason, r.outcome, r.at, r.chain_key_id]
        const canonical = JSON.stringify(
          r.version !== null ? [4, ...fields, null, null, null, r.version, r.ciphertext_sha256] : r.label === null ? [1, ...fields] : [2, ...fields, r.label],
        )
        const link = createHmac('sha256', key).update(prev).update(canonical).digest('hex')
        expect(r.chain).toBe(link)
        prev = Buffer.from(link, 'hex')
      }
      expect(await verify()).toMatchObject({ ok: true, rows: 3 })
      await sql`UPDATE secret_access_log SET label = 'operator:carol' WHERE id = 2`.execute(ctx.store.db)
      expect(await verify()).toMatchObject({ ok: false, id: 2, problem: 'changed' })
      await sql`UPDATE secret_access_log SET label = NULL WHERE id = 2`.execute(ctx.store.db)
      expect(await verify()).toMatchObject({ ok: false, id: 2, problem: 'changed' })
      await sql`UPDATE secret_access_log SET label = 'operator:bob' WHERE id = 2`.execute(ctx.store.db)
      await sql`UPDATE secret_access_log SET label = '' WHERE id = 3`.execute(ctx.store.db)
      expect(await verify()).toMatchObject({ ok: false, id: 3, problem: 'changed' })
    })

    test('a client row (token id or address) is encoded as [3, ..., chain_key_id, label, token_id, client_address]; editing either is named as changed', async () => {
      await ctx.service.create({ name: 'A', value: 'alpha' }, CLI_ACTOR)
      await ctx.service.resolveAll(['A'], { accessor: 'client:ci', reason: 'render', tokenId: '0123456789abcdef', clientAddress: '10.0.0.7' })
      await ctx.service.resolveAll(['A'], { accessor: 'client:ci', reason: 'render', clientAddress: '::1' })
      const all = await rows()
      expect(all.map((r) => [r.token_id, r.client_address])).toEqual([[null, null], ['0123456789abcdef', '10.0.0.7'], [null, '::1']])
      const key = await openChainKeyIndependently(ctx.store.db, all[0]!.chain_key_id!, ctx.env.CLAUDE_HOOKS_SECRET_KEY!)
      let prev = Buffer.alloc(32)
      for (const r of all) {
        const fields = [r.id, r.secret_name, r.action, r.accessor, r.reason, r.outcome, r.at, r.chain_key_id]
        const canonical = JSON.stringify(
          r.version !== null
            ? [4, ...fields, r.label, r.token_id, r.client_address, r.version, r.ciphertext_sha256]
            : r.token_id === null && r.client_address === null
              ? [1, ...fields]
              : [3, ...fields, r.label, r.token_id, r.client_address],
        )
        const link = createHmac('sha256', key).update(prev).update(canonical).digest('hex')
        expect(r.chain).toBe(link)
        prev = Buffer.from(link, 'hex')
      }
      expect(await verify()).toMatchObject({ ok: true, rows: 3 })
      await sql`UPDATE secret_access_log SET token_id = 'ffffffffffffffff' WHERE id = 2`.execute(ctx.store.db)
      expect(await verify()).toMatchObject({ ok: false, id: 2, problem: 'changed' })
      await sql`UPDATE secret_access_log SET token_id = '0123456789abcdef' WHERE id = 2`.execute(ctx.store.db)
      await sql`UPDATE secret_access_log SET client_address = NULL WHERE id = 3`.execute(ctx.store.db)
      expect(await verify()).toMatchObject({ ok: false, id: 3, problem: 'changed' })
      await sql`UPDATE secret_access_log SET client_address = '::1' WHERE id = 3`.execute(ctx.store.db)
      await sql`UPDATE secret_access_log SET client_address = '10.0.0.8' WHERE id = 1`.execute(ctx.store.db)
      expect(await verify()).toMatchObject({ ok: false, id: 1, problem: 'changed' })
    })

    test('verify says ok with the row count on an untouched log, and on an empty one', async () => {
      expect(await verify()).toMatchObject({ ok: true, rows: 0 })
      await someHistory()
      expect(await verify()).toMatchObject({ ok: true, rows: 7, head: { last_id: 7 } })
    })

    test('an edited field is named as changed, at its row', async () => {
      await someHistory()
      await sql`UPDATE secret_access_log SET accessor = 'someone-else' WHERE id = 4`.execute(ctx.store.db)
      expect(await verify()).toMatchObject({ ok: false, id: 4, problem: 'changed', rows: 3 })
    })

    test('an edited chain value is named as changed', async () => {
      await someHistory()
      await sql`UPDATE secret_access_log SET chain = ${'f'.repeat(64)} WHERE id = 2`.execute(ctx.store.db)
      expect(await verify()).toMatchObject({ ok: false, id: 2, problem: 'changed' })
    })

    test('a deleted row in the middle is named as missing', async () => {
      await someHistory()
      await sql`DELETE FROM secret_access_log WHERE id = 5`.execute(ctx.store.db)
      expect(await verify()).toMatchObject({ ok: false, id: 5, problem: 'missing', rows: 4 })
    })

    test('two swapped rows are named as reordered', async () => {
      await someHistory()
      const [r3, r6] = [(await rows())[2]!, (await rows())[5]!]
      const swap = async (id: number, r: typeof r3) =>
        sql`UPDATE secret_access_log SET secret_name = ${r.secret_name}, action = ${r.action}, accessor = ${r.accessor},
            reason = ${r.reason}, outcome = ${r.outcome}, at = ${r.at}, version = ${r.version}, ciphertext_sha256 = ${r.ciphertext_sha256},
            chain = ${r.chain} WHERE id = ${id}`.execute(ctx.store.db)
      await swap(3, r6)
      await swap(6, r3)
      const result = await verify()
      expect(result).toMatchObject({ ok: false, id: 3, problem: 'reordered' })
      expect((result as { detail: string }).detail).toContain('written as row 6')
    })

    test('deleted newest rows are caught while the head remembers them', async () => {
      await someHistory()
      await sql`DELETE FROM secret_access_log WHERE id >= 6`.execute(ctx.store.db)
      expect(await verify()).toMatchObject({ ok: false, id: 6, problem: 'missing' })
    })

    test('a forged row written without the master key does not verify', async () => {
      await someHistory()
      await sql`INSERT INTO secret_access_log (id, secret_name, action, accessor, reason, outcome, at, chain, chain_key_id)
                VALUES (8, 'B', 'read', 'nobody', 'cover story', 'ok', '2026-01-01T00:00:00.000Z', ${'0'.repeat(64)}, ${ctx.keyring.current.id})`.execute(
        ctx.store.db,
      )
      await sql`UPDATE audit_chain_head SET last_id = 8`.execute(ctx.store.db)
      expect(await verify()).toMatchObject({ ok: false, id: 8, problem: 'changed' })
    })

    test('rows chained under a key no longer configured are unverifiable, and verify with that key as previous', async () => {
      await someHistory()
      const oldKey = ctx.env.CLAUDE_HOOKS_SECRET_KEY!
      const newOnly = new AuditLog(await Keyring.fromRawKeys(rawKey(randomKey())))
      expect(await newOnly.verify(ctx.store.db)).toMatchObject({ ok: false, id: 1, problem: 'unverifiable' })
      const both = new AuditLog(await Keyring.fromRawKeys(rawKey(randomKey()), [rawKey(oldKey)]))
      expect(await both.verify(ctx.store.db)).toMatchObject({ ok: true, rows: 7 })
    })

    test('a chain that crosses a key rotation verifies with both keys configured', async () => {
      await someHistory()
      const oldKey = ctx.env.CLAUDE_HOOKS_SECRET_KEY!
      const newKey = randomKey()
      const { SecretsService } = await import('../../src/secrets/service.ts')
      const next = new SecretsService({ db: ctx.store.db, keyring: await Keyring.fromRawKeys(rawKey(newKey), [rawKey(oldKey)]) })
      await next.rotate('B', CLI_ACTOR)
      // A single rotate leaves the chain on its key; rotate --all moves it (test/audit/rotation.test.ts).
      expect((await rows()).at(-1)!.chain_key_id).toBe((await rows())[0]!.chain_key_id)
      expect(await next.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true, rows: 8 })
    })
  })

  describe('concurrent writers', () => {
    test('two processes decrypting at once keep one chain', async () => {
      const tmp = tempDir()
      const db = await freshDatabase(dialect, `file:${join(tmp.dir, 's.db')}`)
      const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
      try {
        const setup = await openSecrets(env)
        await setup.service.create({ name: 'SHARED', value: 'v' }, CLI_ACTOR)
        await setup.close()
        const worker = join(import.meta.dir, '..', 'fixtures', 'audit-writer.ts')
        const procs = [1, 2].map((n) =>
          Bun.spawn([process.execPath, worker, String(n), '150'], { env: { ...process.env, ...env }, stderr: 'pipe' }),
        )
        const codes = await Promise.all(procs.map((p) => p.exited))
        for (const p of procs) expect(await new Response(p.stderr).text()).toBe('')
        expect(codes).toEqual([0, 0])
        const check = await openSecrets(env)
        const result = await check.service.auditLog.verify(check.store.db)
        await check.close()
        expect(result).toMatchObject({ ok: true, rows: 1 + 2 * 150 })
        const cli = await runCli(['audit', 'verify'], { env })
        expect(cli.code).toBe(0)
        expect(cli.stdout).toStartWith('ok: 301 rows')
      } finally {
        await db.drop()
        tmp.cleanup()
      }
    })
  })

  describe('secrets audit', () => {
    test('verify exits 1 naming the first broken row; head prints id and chain', async () => {
      const tmp = tempDir()
      const db = await freshDatabase(dialect, `file:${join(tmp.dir, 's.db')}`)
      const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
      try {
        await runCli(['set', 'A'], { env, stdin: 'x' })
        await runCli(['set', 'A'], { env, stdin: 'y' })
        const head = await runCli(['audit', 'head'], { env })
        expect(head.stdout).toMatch(/^2 [0-9a-f]{64}\n$/)
        const c = await openSecrets(env)
        await sql`UPDATE secret_access_log SET reason = 'edited' WHERE id = 1`.execute(c.store.db)
        await c.close()
        const r = await runCli(['audit', 'verify'], { env })
        expect(r.code).toBe(1)
        expect(r.stdout).toStartWith('broken: row 1: changed:')
        expect((await runCli(['audit', 'frob'], { env })).code).toBe(2)
      } finally {
        await db.drop()
        tmp.cleanup()
      }
    })
  })
})
