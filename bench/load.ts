/**
 * Mixed load against one real server, part of `npm run bench` (not a unit test):
 *
 *   node_modules/.bin/bun bench/load.ts [--seconds 60] [--renders 2] [--readers 4] [--writers 2]
 *
 * One `bin/secrets serve` on 127.0.0.1 over a SQLite file database (WAL,
 * synchronous=FULL), and for `--seconds` at once:
 *
 * - renders: `--renders` loops, each running `bin/secrets render` child
 *   processes one after another against the same DATABASE_URL (each a
 *   random subset of 1-5 secrets, some named twice);
 * - reads: `--readers` loops of authenticated `GET /secrets`,
 *   `GET /secrets/{name}` and `GET /secrets/{name}/access-log`;
 * - writes: `--writers` loops of `PUT /secrets/{name}`, `POST /secrets`
 *   (a new name each time) and `POST /secrets/{name}/rotate`.
 *
 * Bounded (a fixed number of loops, each waiting for its answer; loopback
 * only) and stops by itself. Reports requests/s, p50 and p99 per kind and
 * every error (a status other than the expected one, a failed render, an
 * `http error` line in the server log); afterwards checks that the audit
 * log's `read` rows equal the decryptions the renders performed (one per
 * distinct name per render) and that `secrets audit verify` is ok. Figures go
 * to docs/benchmarks.md, section "Load"; exits 1 when a check fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openSecrets } from '../src/context.ts'
import { OperatorService } from '../src/operators/operator.service.ts'
import { machine, writeSection } from './lib.ts'

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    renders: { type: 'string', default: '2' },
    readers: { type: 'string', default: '4' },
    writers: { type: 'string', default: '2' },
  },
})
const SECONDS = Number(args.seconds)
const RENDERS = Number(args.renders)
const READERS = Number(args.readers)
const WRITERS = Number(args.writers)
for (const n of [SECONDS, RENDERS, READERS, WRITERS]) {
  if (!(n > 0) || n > 1000) {
    console.error('usage: node_modules/.bin/bun bench/load.ts [--seconds N] [--renders N] [--readers N] [--writers N]')
    process.exit(2)
  }
}

const root = join(import.meta.dir, '..')
const BIN = join(root, 'bin/secrets')
const SECRETS = 50
const names = Array.from({ length: SECRETS }, (_, i) => `LOAD_SECRET_${String(i).padStart(2, '0')}`)
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!

type Kind =
  | 'render (bin/secrets render, child process)'
  | 'GET /secrets'
  | 'GET /secrets/{name}'
  | 'GET /secrets/{name}/access-log'
  | 'PUT /secrets/{name}'
  | 'POST /secrets'
  | 'POST /secrets/{name}/rotate'
const KINDS: Kind[] = [
  'render (bin/secrets render, child process)',
  'GET /secrets',
  'GET /secrets/{name}',
  'GET /secrets/{name}/access-log',
  'PUT /secrets/{name}',
  'POST /secrets',
  'POST /secrets/{name}/rotate',
]
const latencies = new Map<Kind, number[]>(KINDS.map((k) => [k, []]))
const errors = new Map<Kind, number>(KINDS.map((k) => [k, 0]))
const errorSamples: string[] = []
let decryptions = 0

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}

function fail(kind: Kind, what: string): void {
  errors.set(kind, errors.get(kind)! + 1)
  if (errorSamples.length < 10) errorSamples.push(`${kind}: ${what}`)
}

const dir = mkdtempSync(join(tmpdir(), 'chs-bench-load-'))
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  CLAUDE_HOOKS_SECRET_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
  DATABASE_URL: `file:${join(dir, 'secrets.db')}`,
}
let server: ReturnType<typeof Bun.spawn> | undefined
let exitCode = 0

try {
  // --- the store: 50 secrets and one operator ---
  const password = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64')
  {
    const ctx = await openSecrets(env)
    for (const [i, name] of names.entries()) {
      await ctx.service.create({ name, value: `load-value-${i}-${'v'.repeat(32)}`, description: `load secret ${i}` }, { accessor: 'bench', reason: 'seed' })
    }
    await new OperatorService({ db: ctx.store.db }).add('load', password)
    await ctx.close()
  }
  const lastIdBefore = await auditReadRows()

  // --- the server, request log to a file ---
  const logPath = join(dir, 'serve.log')
  server = Bun.spawn([BIN, 'serve', '--host', '127.0.0.1', '--port', '0'], { env, stdout: 'ignore', stderr: Bun.file(logPath) })
  let base = ''
  for (let i = 0; i < 200 && !base; i++) {
    await Bun.sleep(50)
    base = /listening on (http:\/\/\S+) /.exec(await Bun.file(logPath).text().catch(() => ''))?.[1] ?? ''
  }
  if (!base) throw new Error('the server did not start')
  const login = await fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'load', password }),
  })
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`)
  const cookie = login.headers.get('Set-Cookie')!.split(';')[0]!
  const csrf = ((await login.json()) as { csrf_token: string }).csrf_token

  async function timed(kind: Kind, method: string, path: string, expect: number, body?: unknown): Promise<void> {
    const t0 = performance.now()
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      await res.arrayBuffer()
      latencies.get(kind)!.push(performance.now() - t0)
      if (res.status !== expect) fail(kind, `${method} ${path}: ${res.status}`)
    } catch (e) {
      fail(kind, `${method} ${path}: ${(e as Error).message}`)
    }
  }

  const deadline = performance.now() + SECONDS * 1000
  const started = performance.now()
  let created = 0
  let renderSeq = 0

  async function renderLoop(): Promise<void> {
    while (performance.now() < deadline) {
      const used = Array.from({ length: 1 + Math.floor(Math.random() * 5) }, () => pick(names))
      const distinct = new Set(used).size
      const input = join(dir, `in-${renderSeq++}.txt`)
      writeFileSync(input, used.map((n, i) => `line ${i}: \${SECRET:${n}}\n`).join(''))
      const t0 = performance.now()
      const proc = Bun.spawn([BIN, 'render', '--accessor', 'bench:load', '--reason', 'load test', input], { env, stdout: 'pipe', stderr: 'pipe' })
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
      latencies.get(KINDS[0]!)!.push(performance.now() - t0)
      rmSync(input, { force: true })
      if (code !== 0 || out.includes('${SECRET:') || out.split('\n').length !== used.length + 1) fail(KINDS[0]!, `exit ${code}: ${err.trim()}`)
      else decryptions += distinct
    }
  }

  async function readLoop(): Promise<void> {
    while (performance.now() < deadline) {
      const r = Math.random()
      if (r < 0.34) await timed('GET /secrets', 'GET', '/secrets', 200)
      else if (r < 0.67) await timed('GET /secrets/{name}', 'GET', `/secrets/${pick(names)}`, 200)
      else await timed('GET /secrets/{name}/access-log', 'GET', `/secrets/${pick(names)}/access-log?limit=20`, 200)
    }
  }

  async function writeLoop(w: number): Promise<void> {
    while (performance.now() < deadline) {
      const r = Math.random()
      if (r < 0.4) await timed('PUT /secrets/{name}', 'PUT', `/secrets/${pick(names)}`, 200, { value: `replaced-${crypto.randomUUID()}` })
      else if (r < 0.7) await timed('POST /secrets', 'POST', '/secrets', 201, { name: `LOAD_NEW_${w}_${created++}`, value: `new-${crypto.randomUUID()}` })
      else await timed('POST /secrets/{name}/rotate', 'POST', `/secrets/${pick(names)}/rotate`, 200)
    }
  }

  console.log(`load for ${SECONDS} s: ${RENDERS} render loops, ${READERS} readers, ${WRITERS} writers against ${base}`)
  await Promise.all([
    ...Array.from({ length: RENDERS }, renderLoop),
    ...Array.from({ length: READERS }, readLoop),
    ...Array.from({ length: WRITERS }, (_, w) => writeLoop(w)),
  ])
  const elapsed = (performance.now() - started) / 1000

  server.kill('SIGTERM')
  const serverExit = await server.exited
  server = undefined
  const log = await Bun.file(logPath).text()
  const logErrors = log.split('\n').filter((l) => l.startsWith('http error')).length
  const status5xx = log.split('\n').filter((l) => /^http \S+ \S+ 5\d\d /.test(l)).length

  // --- afterwards: audit rows against the renders, and the chain ---
  const readRows = (await auditReadRows()) - lastIdBefore
  const verify = Bun.spawnSync([BIN, 'audit', 'verify'], { env, stdout: 'pipe', stderr: 'pipe' })
  const verifyOut = `${verify.stdout.toString().trim()}${verify.stderr.toString().trim()}`
  const verifyOk = verify.exitCode === 0 && verifyOut.startsWith('ok:')

  const totalErrors = [...errors.values()].reduce((a, b) => a + b, 0)
  const rows = KINDS.map((k) => {
    const xs = latencies.get(k)!
    return `| ${k} | ${xs.length} | ${(xs.length / elapsed).toFixed(1)} | ${percentile(xs, 50).toFixed(1)} ms | ${percentile(xs, 99).toFixed(1)} ms | ${errors.get(k)} |`
  })
  const http = KINDS.slice(1).reduce((n, k) => n + latencies.get(k)!.length, 0)
  const ok = totalErrors === 0 && logErrors === 0 && status5xx === 0 && readRows === decryptions && verifyOk && serverExit === 0
  for (const s of errorSamples) console.error(`error: ${s}`)
  const body = `Command: \`node_modules/.bin/bun bench/load.ts --seconds ${SECONDS} --renders ${RENDERS} --readers ${READERS} --writers ${WRITERS}\` (part of \`npm run bench\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}.
One \`bin/secrets serve\` on 127.0.0.1 (request log on, to a file) over a SQLite file database (WAL, \`synchronous=FULL\`) holding ${SECRETS} secrets, for ${elapsed.toFixed(0)} s at once:
${RENDERS} loops running \`bin/secrets render\` child processes one after another against the same \`DATABASE_URL\` (1-5 placeholders each, some names twice);
${READERS} loops of authenticated reads and ${WRITERS} loops of writes (replace, create, rotate) over HTTP, each waiting for its answer.
Latency is per request (per whole process for renders: start-up, open, decrypt, audit, write).

| kind | count | per second | p50 | p99 | errors |
| --- | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
| all HTTP | ${http} | ${(http / elapsed).toFixed(1)} | | | ${totalErrors - errors.get(KINDS[0]!)!} |

- Errors (a status other than the expected one, a failed render): ${totalErrors} (target 0); 5xx in the server log: ${status5xx}; \`http error\` lines: ${logErrors}.
- Audit: ${readRows} \`read\` rows written during the run; the renders performed ${decryptions} decryptions (one per distinct name per render): ${readRows === decryptions ? 'equal' : 'NOT equal'}.
- \`secrets audit verify\` afterwards: ${verifyOut.replace(/ \(head.*$/, '')}${verifyOk ? '' : ' (FAILED)'}. The server stopped on SIGTERM with exit ${serverExit}.
- Overall: ${ok ? 'every check passed' : 'a check FAILED'}. Renders and HTTP writes share SQLite's one write lock (busy timeout 5 s)${totalErrors === 0 ? ': no request waited it out (that would be a 503 `store_busy`, counted as an error)' : ''}.`
  console.log(`\n${body}`)
  await writeSection('Load', body)
  if (!ok) exitCode = 1
} catch (e) {
  console.error(e)
  exitCode = 1
} finally {
  if (server) {
    server.kill('SIGKILL')
    await server.exited
  }
  rmSync(dir, { recursive: true, force: true })
}
process.exit(exitCode)

/** The number of audit rows with action `read`. */
async function auditReadRows(): Promise<number> {
  const ctx = await openSecrets(env)
  try {
    const rows = await ctx.store.db.selectFrom('secret_access_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'read').executeTakeFirstOrThrow()
    return Number(rows.n)
  } finally {
    await ctx.close()
  }
}
