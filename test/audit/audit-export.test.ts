import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openSecrets, type SecretsContext } from '../../src/context.ts'
import { writeTransaction } from '../../src/store/transaction.ts'
import { ROOT } from '../helpers/builds.ts'
import { BIN, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'

const SCRIPT = join(ROOT, 'scripts', 'verify-audit-export.py')
const ACTOR = { accessor: 'cli:test', reason: 'déploiement 🚀 "quoted" \\ back\tslash' }

/** Runs the Python verifier on `input`; its exit code and output. */
async function verifyWithPython(args: string[], input: string) {
  const proc = Bun.spawn(['python3', SCRIPT, ...args], { stdin: new Blob([input]), stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, stdout, stderr }
}

const lines = (text: string) => text.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)

describeEachDialect('secrets audit export', (dialect) => {
  let tmp: ReturnType<typeof tempDir>
  let db: Awaited<ReturnType<typeof freshDatabase>>
  let env: Record<string, string>
  let keysFile: string

  async function withCtx<T>(fn: (ctx: SecretsContext) => Promise<T>): Promise<T> {
    const ctx = await openSecrets(env)
    try {
      return await fn(ctx)
    } finally {
      await ctx.close()
    }
  }

  beforeAll(async () => {
    tmp = tempDir()
    db = await freshDatabase(dialect, `file:${join(tmp.dir, 'export.db')}`)
    env = { DATABASE_URL: db.url, CLAUDE_HOOKS_SECRET_KEY: randomKey() }
    await withCtx(async ({ service, store }) => {
      await service.create({ name: 'GITHUB_TOKEN', value: 'ghp-export-value' }, ACTOR)
      await service.create({ name: 'SLACK_TOKEN', value: 'xoxb-export-value' }, ACTOR)
      // Every row encoding: plain (v1), with a label (v2), with a token id and address (v3), and a security event.
      await service.resolveAll(['GITHUB_TOKEN'], { ...ACTOR, label: 'ci «job» 7' })
      await service.resolveAll(['SLACK_TOKEN'], { accessor: 'client:ci', reason: 'deploy', tokenId: '0123456789abcdef', clientAddress: '::1' })
      await writeTransaction(store.db, (trx) =>
        service.auditLog.append(trx, [
          { secret_name: '', action: 'login', accessor: 'operator:alice', reason: 'login', outcome: 'ok', at: '2030-01-01T00:00:00.000Z', label: null },
        ]),
      )
    })
    keysFile = join(tmp.dir, 'chain-keys.json')
    const written = await runCli(['audit', 'chain-keys', '--out', keysFile], { env })
    expect(written.code).toBe(0)
    expect(written.stderr).toContain('can forge audit rows')
  })
  afterAll(async () => {
    await db.drop()
    tmp.cleanup()
  })

  test('JSON lines, oldest first: every column of the row, chain and chain key id, and prev_chain', async () => {
    const r = await runCli(['audit', 'export'], { env })
    expect(r.code).toBe(0)
    const rows = lines(r.stdout)
    const stored = await withCtx(({ store }) => store.db.selectFrom('secret_access_log').selectAll().orderBy('id').execute())
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 4, 5])
    for (const [i, row] of rows.entries()) {
      // Every column, whatever columns the table has (selected generically).
      expect(Object.keys(row).sort()).toEqual([...Object.keys(stored[i]!), 'prev_chain'].sort())
      expect(row).toMatchObject({ ...stored[i], id: Number(stored[i]!.id) })
      expect(row.chain).toMatch(/^[0-9a-f]{64}$/)
      expect(row.chain_key_id).toMatch(/^[0-9a-f]{16}$/)
      expect(row.prev_chain).toBe(i === 0 ? '0'.repeat(64) : rows[i - 1]!.chain)
    }
    expect(r.stdout).not.toContain('ghp-export-value')
  })

  test('--since, --until and --secret filter; bad values are usage errors naming the flag', async () => {
    const ids = async (...args: string[]) => lines((await runCli(['audit', 'export', ...args], { env })).stdout).map((row) => row.id)
    expect(await ids('--secret', 'SLACK_TOKEN')).toEqual([2, 4])
    expect(await ids('--since', '2030-01-01')).toEqual([5])
    expect(await ids('--until', '2030-01-01T00:00:00Z')).toEqual([1, 2, 3, 4])
    expect(await ids('--since', '2029-12-31T23:00:00-02:00')).toEqual([])
    expect(await ids('--secret', 'GITHUB_TOKEN', '--until', '2030-01-01')).toEqual([1, 3])
    for (const [args, flag] of [
      [['--since', 'yesterday'], '--since'],
      [['--until', '2030-13-45'], '--until'],
      [['--since', '2030-01-01T00:00'], '--since'],
      [['--follow', '--until', '2030-01-01'], '--follow'],
      [['extra'], 'takes no arguments (the one given is not repeated here'],
    ] as const) {
      const r = await runCli(['audit', 'export', ...args], { env })
      expect([args, r.code]).toEqual([args, 2])
      expect(r.stderr).toContain(flag)
      expect(r.stdout).toBe('')
    }
    const bad = await runCli(['audit', 'export', '--secret', 'lower'], { env })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('secret must')
  })

  test('needs the store only, not the master key', async () => {
    const r = await runCli(['audit', 'export', '--secret', 'GITHUB_TOKEN'], { env: { DATABASE_URL: env.DATABASE_URL! } })
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toHaveLength(2)
  })

  test('chain-keys writes a new 0600 file, never over one, never to stdout; needs the master key', async () => {
    expect(statSync(keysFile).mode & 0o777).toBe(0o600)
    const keys = JSON.parse(readFileSync(keysFile, 'utf8')).chain_keys as Record<string, string>
    expect(Object.values(keys).every((k) => atob(k).length === 32)).toBe(true)
    const again = await runCli(['audit', 'chain-keys', '--out', keysFile], { env })
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('the file exists')
    const none = await runCli(['audit', 'chain-keys'], { env })
    expect(none).toMatchObject({ code: 2, stdout: '' })
    const keyless = await runCli(['audit', 'chain-keys', '--out', join(tmp.dir, 'k2.json')], { env: { DATABASE_URL: env.DATABASE_URL! } })
    expect(keyless.code).toBe(78)
  })

  test('the Python verifier recomputes the chain of an export, a filtered one too, and refuses a tampered row', async () => {
    const all = (await runCli(['audit', 'export'], { env })).stdout
    expect(await verifyWithPython(['--keys', keysFile, '--complete'], all)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: 5 rows verified in 1 run/) })
    const filtered = (await runCli(['audit', 'export', '--secret', 'SLACK_TOKEN'], { env })).stdout
    expect(await verifyWithPython(['--keys', keysFile], filtered)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: 2 rows verified in 2 run/) })

    const rows = all.trimEnd().split('\n')
    const tampered = (i: number, edit: (row: Record<string, unknown>) => void) => {
      const copy = [...rows]
      const row = JSON.parse(copy[i]!)
      edit(row)
      copy[i] = JSON.stringify(row)
      return `${copy.join('\n')}\n`
    }
    const cases: Array<[string, string, string[]]> = [
      [tampered(2, (r) => (r.label = 'ci job 8')), 'row 3: does not match its chain value', []],
      [tampered(3, (r) => (r.client_address = '10.0.0.1')), 'row 4: does not match its chain value', []],
      [tampered(0, (r) => (r.reason = 'something else')), 'row 1: does not match its chain value', []],
      [tampered(4, (r) => (r.accessor = 'operator:mallory')), 'row 5: does not match its chain value', []],
      [tampered(1, (r) => (r.chain = 'f'.repeat(64))), 'row 2: does not match', []],
      [tampered(1, (r) => (r.chain = 'f'.repeat(64))), 'row 3: does not link to row 2', ['--links-only']],
      [`${[rows[0], rows[2], rows[3], rows[4]].join('\n')}\n`, 'row 3: is not row 2', ['--complete']],
      [`${[rows[0], rows[2], rows[1]].join('\n')}\n`, 'row 2: comes after row 3', []],
    ]
    for (const [input, problem, extra] of cases) {
      const r = await verifyWithPython(extra.includes('--links-only') ? extra : ['--keys', keysFile, ...extra], input)
      expect([problem, r.code]).toEqual([problem, 1])
      expect(r.stdout).toContain(`broken: ${problem}`)
    }
    // The wrong key refutes every row.
    const wrong = join(tmp.dir, 'wrong-keys.json')
    const ids = Object.keys(JSON.parse(readFileSync(keysFile, 'utf8')).chain_keys)
    writeFileSync(wrong, JSON.stringify({ chain_keys: Object.fromEntries(ids.map((id) => [id, btoa('x'.repeat(32))])) }))
    expect((await verifyWithPython(['--keys', wrong], all)).stdout).toContain('broken: row 1: does not match')
  })
})

describe('secrets audit export --follow', () => {
  let tmp: ReturnType<typeof tempDir>
  let env: Record<string, string>
  beforeAll(async () => {
    tmp = tempDir()
    env = { DATABASE_URL: `file:${join(tmp.dir, 'follow.db')}`, CLAUDE_HOOKS_SECRET_KEY: randomKey() }
    expect((await runCli(['set', 'FIRST'], { env, stdin: 'v1' })).code).toBe(0)
  })
  afterAll(() => tmp.cleanup())

  /** Reads stdout until `n` lines came; returns them. */
  async function readLines(reader: ReadableStreamDefaultReader<Uint8Array>, n: number, seen: { text: string }) {
    while (seen.text.split('\n').length - 1 < n) {
      const { value, done } = await reader.read()
      if (done) throw new Error(`ended after: ${seen.text}`)
      seen.text += new TextDecoder().decode(value)
    }
    return lines(seen.text)
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`streams rows as they come, and ends with exit 0 on ${signal}`, async () => {
      const proc = Bun.spawn([BIN, 'audit', 'export', '--follow'], { env: { PATH: process.env.PATH!, ...env }, stdout: 'pipe', stderr: 'pipe' })
      const reader = proc.stdout.getReader()
      const seen = { text: '' }
      const first = await readLines(reader, 1, seen)
      expect(first[0]).toMatchObject({ id: 1, secret_name: 'FIRST', action: 'create' })
      const before = first.length
      // The rows written so far came at once; wait for a poll that finds nothing new.
      await Bun.sleep(1500)
      const now = lines(seen.text).length
      expect((await runCli(['set', `SECOND_${signal}`], { env, stdin: 'v2' })).code).toBe(0)
      const after = await readLines(reader, now + 1, seen)
      expect(after.length).toBeGreaterThan(before)
      expect(after.at(-1)).toMatchObject({ secret_name: `SECOND_${signal}`, action: 'create', prev_chain: after.at(-2)!.chain })
      proc.kill(signal)
      expect(await proc.exited).toBe(0)
    })
  }

  test('ends with exit 0 when standard output is closed (| head -n 1)', async () => {
    const proc = Bun.spawn(['bash', '-c', `set -o pipefail; "${BIN}" audit export --follow | head -n 1`], {
      env: { PATH: process.env.PATH!, ...env },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const reader = proc.stdout.getReader()
    const seen = { text: '' }
    await readLines(reader, 1, seen)
    // The next write after head has gone finds the pipe closed.
    const deadline = Date.now() + 60_000
    let code: number | null = null
    while (code === null && Date.now() < deadline) {
      expect((await runCli(['set', `PIPE_${Date.now()}`], { env, stdin: 'v' })).code).toBe(0)
      code = await Promise.race([proc.exited, Bun.sleep(1500).then(() => null)])
    }
    expect(code).toBe(0)
    expect(await new Response(proc.stderr).text()).toBe('')
  })
})
