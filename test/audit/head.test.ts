import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { sql } from 'kysely'
import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openSecrets, type SecretsContext } from '../../src/context.ts'
import { rewriteWithKey, truncateWithKey } from '../helpers/chain-keys.ts'
import { runCli } from '../helpers/cli.ts'
import { CLI_ACTOR, memoryContext, tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'

// Point 2 of issue 12: the head is authenticated.
describeEachDialect('audit head', (dialect) => {
  let ctx: SecretsContext & { env: Record<string, string | undefined> }
  beforeEach(async () => {
    ctx = await memoryContext({}, {}, dialect)
    await ctx.service.create({ name: 'A', value: 'alpha' }, CLI_ACTOR)
    await ctx.service.create({ name: 'B', value: 'beta' }, CLI_ACTOR)
    await ctx.service.replace('A', { value: 'alpha2' }, CLI_ACTOR)
    // The newest rows are reads: cutting them leaves every secret row accounted for (verify-secrets.ts).
    await ctx.service.resolveAll(['A', 'B'], { accessor: 'hook', reason: 'render' })
  })
  afterEach(() => ctx.close())

  const verify = () => ctx.service.auditLog.verify(ctx.store.db)
  const chainOf = async (id: number) =>
    (await ctx.store.db.selectFrom('secret_access_log').select('chain').where('id', '=', id).executeTakeFirstOrThrow()).chain!

  /** A database writer without the master key rewrites every column of the head it can. */
  async function rewriteHead(values: { last_id: number; chain: string; row_count: number }): Promise<void> {
    await ctx.store.db.updateTable('audit_chain_head').set(values).where('id', '=', 1).execute()
  }

  test('the newest rows deleted and the head rewritten to the last kept row: refused without the key', async () => {
    expect(await verify()).toMatchObject({ ok: true, rows: 5 })
    const kept = await chainOf(3)
    await sql`DELETE FROM secret_access_log WHERE id > 3`.execute(ctx.store.db)
    await rewriteHead({ last_id: 3, chain: kept, row_count: 3 })
    expect(await verify()).toMatchObject({ ok: false, problem: 'head', id: 3, detail: 'the head does not match its MAC (it was rewritten)' })
  })

  test('the whole log emptied and the head reset to the start: refused, also with its MAC and chain keys removed', async () => {
    await sql`DELETE FROM secret_access_log`.execute(ctx.store.db)
    await rewriteHead({ last_id: 0, chain: '0'.repeat(64), row_count: 0 })
    expect(await verify()).toMatchObject({ ok: false, problem: 'head' })
    // Make it look like a store that never sealed its head: secrets exist, so it is not a new store.
    await sql`UPDATE audit_chain_head SET mac = NULL, chain_key = NULL`.execute(ctx.store.db)
    await sql`DELETE FROM audit_chain_key`.execute(ctx.store.db)
    const result = await verify()
    expect(result).toMatchObject({ ok: false, problem: 'head' })
    expect((result as { detail: string }).detail).toContain('not authenticated')
  })

  test('a head moved to an older chain key, or its chain key removed, is refused', async () => {
    await sql`DELETE FROM audit_chain_key`.execute(ctx.store.db)
    expect(await verify()).toMatchObject({ ok: false, problem: 'changed', id: 1 })
  })

  test('a key holder who cuts the tail and re-authenticates the head passes verify alone, not verify --head', async () => {
    const exported = await ctx.service.auditLog.head(ctx.store.db)
    expect(exported).toMatchObject({ last_id: 5, rows: 5 })
    await truncateWithKey(ctx.store.db, ctx.env.CLAUDE_HOOKS_SECRET_KEY!, 3)
    expect(await verify()).toMatchObject({ ok: true, rows: 3 })
    expect(await ctx.service.auditLog.verify(ctx.store.db, { exported })).toMatchObject({
      ok: false,
      problem: 'exported-head',
      id: 5,
      detail: 'the exported head names row 5, but the log ends at row 3: rows were removed or the store restored from an older backup',
    })
  })

  test('a key holder who rewrites a row and re-chains the rest passes verify alone, not verify --head', async () => {
    const exported = { last_id: 3, chain: await chainOf(3) }
    await rewriteWithKey(ctx.store.db, ctx.env.CLAUDE_HOOKS_SECRET_KEY!, 2, 'a better story')
    expect(await verify()).toMatchObject({ ok: true, rows: 5 })
    expect(await ctx.service.auditLog.verify(ctx.store.db, { exported })).toMatchObject({
      ok: false,
      problem: 'exported-head',
      id: 3,
      detail: 'row 3 has another chain value than the exported head: the log was rewritten up to it',
    })
  })

  test('a key holder who cuts a mutation off the tail is caught by verify alone: the secret row is not the one the log ends with', async () => {
    await truncateWithKey(ctx.store.db, ctx.env.CLAUDE_HOOKS_SECRET_KEY!, 2)
    expect(await verify()).toMatchObject({ ok: false, problem: 'secret', secret: 'A', version: 2 })
  })
})

describeEachDialect('secrets audit verify --head FILE', (dialect) => {
  test('passes while the log contains the exported head (text and --json), fails once the tail is cut with the key', async () => {
    const tmp = tempDir()
    const db = await freshDatabase(dialect, `file:${join(tmp.dir, 's.db')}`)
    const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
    try {
      expect((await runCli(['set', 'A'], { env, stdin: 'x' })).code).toBe(0)
      // Reads at the tail: cutting them leaves the secret row accounted for, so verify alone passes.
      const read = () => runCli(['get', 'A', '--reason', 'read'], { env })
      for (let i = 0; i < 2; i++) expect((await read()).code).toBe(0)
      const text = join(tmp.dir, 'head.txt')
      const json = join(tmp.dir, 'head.json')
      writeFileSync(text, (await runCli(['audit', 'head'], { env })).stdout)
      const headJson = (await runCli(['audit', 'head', '--json'], { env })).stdout
      expect(JSON.parse(headJson)).toMatchObject({ last_id: 3, rows: 3 })
      writeFileSync(json, headJson)
      expect((await read()).code).toBe(0)
      for (const file of [text, json]) {
        const ok = await runCli(['audit', 'verify', '--head', file], { env })
        expect(ok.code).toBe(0)
        expect(ok.stdout).toMatch(/^ok: 4 rows \(head 4 [0-9a-f]{64}; contains the exported head 3\)\n$/)
      }
      const c = await openSecrets(env)
      await truncateWithKey(c.store.db, env.CLAUDE_HOOKS_SECRET_KEY, 2)
      await c.close()
      expect((await runCli(['audit', 'verify'], { env })).code).toBe(0)
      const cut = await runCli(['audit', 'verify', '--head', text], { env })
      expect(cut.code).toBe(1)
      expect(cut.stdout).toStartWith('broken: row 3: exported-head: the exported head names row 3, but the log ends at row 2')
    } finally {
      await db.drop()
      tmp.cleanup()
    }
  })

  test('a missing or malformed head file is a usage error naming it (exit 2), the store not opened', async () => {
    const tmp = tempDir()
    try {
      const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${join(tmp.dir, 's.db')}` }
      const bad = join(tmp.dir, 'bad')
      writeFileSync(bad, '3 not-hex\n')
      const r = await runCli(['audit', 'verify', '--head', bad], { env })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`--head ${bad}: chain must be 64 lowercase hex characters`)
      const missing = await runCli(['audit', 'verify', '--head', join(tmp.dir, 'nope')], { env })
      expect(missing.code).toBe(2)
      expect(missing.stderr).toContain('cannot read it (ENOENT)')
    } finally {
      tmp.cleanup()
    }
  })
})

describe('secrets audit verify --head FILE after a restore', () => {
  test('an older backup restored verifies alone, and fails against the head exported since', async () => {
    const tmp = tempDir()
    const file = join(tmp.dir, 's.db')
    const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${file}` }
    try {
      expect((await runCli(['set', 'A'], { env, stdin: 'x' })).code).toBe(0)
      copyFileSync(file, join(tmp.dir, 'backup.db'))
      expect((await runCli(['set', 'A'], { env, stdin: 'y' })).code).toBe(0)
      const head = join(tmp.dir, 'head.txt')
      writeFileSync(head, (await runCli(['audit', 'head'], { env })).stdout)
      copyFileSync(join(tmp.dir, 'backup.db'), file)
      expect((await runCli(['audit', 'verify'], { env })).stdout).toStartWith('ok: 1 rows')
      const r = await runCli(['audit', 'verify', '--head', head], { env })
      expect(r.code).toBe(1)
      expect(r.stdout).toContain('exported-head')
    } finally {
      tmp.cleanup()
    }
  })
})
