/**
 * Master-key rotation and audit-chain append throughput.
 *
 *   node_modules/.bin/bun bench/rotation.ts [--secrets 100000] [--appends 3000]
 *
 * - `secrets rotate --all` over N secrets sealed under an old key: rows/s.
 * - Audit appends on a SQLite file (WAL, synchronous=FULL): one decryption
 *   at a time (one chained row per transaction) and batched (one render of
 *   100 names: 100 chained rows in one transaction), next to a plain INSERT
 *   of the same row without the chain, one per transaction, as the baseline.
 */
import { sql } from 'kysely'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openSecrets } from '../src/context.ts'
import { machine, median, writeSection } from './lib.ts'

const { values } = parseArgs({ options: { secrets: { type: 'string', default: '100000' }, appends: { type: 'string', default: '3000' } } })
const N = Number(values.secrets)
const APPENDS = Number(values.appends)
const root = join(import.meta.dir, '..')
const key = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')

async function run(cmd: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now()
  const p = Bun.spawn(cmd, { env: { ...(process.env as Record<string, string>), ...env }, stdout: 'ignore', stderr: 'pipe' })
  const code = await p.exited
  if (code !== 0) throw new Error(`${cmd.join(' ')}: exit ${code}: ${await new Response(p.stderr).text()}`)
  return performance.now() - t0
}

const dir = mkdtempSync(join(tmpdir(), 'chs-bench-rotation-'))
try {
  // --- rotate --all
  const oldKey = key()
  const newKey = key()
  const db = `file:${join(dir, 'rotate.db')}`
  console.log(`seeding ${N} secrets...`)
  await run([process.execPath, join(root, 'test/fixtures/seed-secrets.ts'), String(N)], { CLAUDE_HOOKS_SECRET_KEY: oldKey, DATABASE_URL: db })
  console.log('rotate --all...')
  const rotateMs = await run([join(root, 'bin/secrets'), 'rotate', '--all'], {
    CLAUDE_HOOKS_SECRET_KEY: newKey,
    CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: oldKey,
    DATABASE_URL: db,
  })
  const rotateRate = N / (rotateMs / 1000)

  // --- audit appends
  const env = { CLAUDE_HOOKS_SECRET_KEY: key(), DATABASE_URL: `file:${join(dir, 'audit.db')}` }
  const ctx = await openSecrets(env)
  const actor = { accessor: 'bench', reason: 'bench' }
  const names = Array.from({ length: 100 }, (_, i) => `B${String(i).padStart(3, '0')}`)
  for (const name of names) await ctx.service.create({ name, value: `v-${name}` }, actor)
  const row = await ctx.service.sealed('B000')
  // The baseline writes to a copy of the log's columns, so it does not disturb the chain.
  await sql`CREATE TABLE plain_log (id INTEGER PRIMARY KEY AUTOINCREMENT, secret_name TEXT, action TEXT, accessor TEXT, reason TEXT, outcome TEXT, at TEXT)`.execute(ctx.store.db)
  const rounds: Array<{ single: number; batched: number; plain: number }> = []
  for (let r = 0; r < 3; r++) {
    let t0 = performance.now()
    for (let i = 0; i < APPENDS / 3; i++) await ctx.service.decrypt(row, 'bench', 'single')
    const single = APPENDS / 3 / ((performance.now() - t0) / 1000)
    t0 = performance.now()
    const renders = Math.max(1, Math.round(APPENDS / 3 / 10))
    for (let i = 0; i < renders; i++) await ctx.service.resolveAll(names, actor)
    const batched = (renders * names.length) / ((performance.now() - t0) / 1000)
    t0 = performance.now()
    for (let i = 0; i < APPENDS / 3; i++) {
      await ctx.store.db.transaction().execute((trx) =>
        sql`INSERT INTO plain_log (secret_name, action, accessor, reason, outcome, at) VALUES ('B000', 'read', 'bench', 'plain', 'ok', ${new Date().toISOString()})`.execute(trx),
      )
    }
    const plain = APPENDS / 3 / ((performance.now() - t0) / 1000)
    rounds.push({ single, batched, plain })
  }
  const verified = await ctx.service.auditLog.verify(ctx.store.db)
  if (!verified.ok) throw new Error('the audit chain did not verify after the benchmark')
  await ctx.close()
  const single = median(rounds.map((r) => r.single))
  const batched = median(rounds.map((r) => r.batched))
  const plain = median(rounds.map((r) => r.plain))

  const body = `Command: \`node_modules/.bin/bun bench/rotation.ts --secrets ${N} --appends ${APPENDS}\` (part of \`npm run bench\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}.
SQLite file database, WAL, \`synchronous=FULL\`.

| what | figure |
| --- | --- |
| \`secrets rotate --all\` over ${N} secrets (batches of 500, one transaction each: a new version per secret, checked against the log, the previous one kept, a chained audit row; then each kept version re-sealed) | ${Math.round(rotateRate)} rows/s (${(rotateMs / 1000).toFixed(1)} s) |
| audit append, one decryption per transaction (HMAC chain) | ${Math.round(single)} rows/s |
| audit append, batched: one render of 100 names per transaction | ${Math.round(batched)} rows/s |
| baseline: plain INSERT of an unchained row, one per transaction | ${Math.round(plain)} rows/s |

An audited single decryption (decrypt, lock the chain head, HMAC, insert, update the head, commit) runs at
${(single / plain).toFixed(2)}x a bare one-row INSERT transaction; batching a render's reads into one transaction runs at
${(batched / plain).toFixed(2)}x it, which is why \`render\` audits all its names in one transaction.`
  console.log(body)
  await writeSection('Rotation and audit chain', body)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
