/**
 * Client delivery (docs/clients.md), side by side in one run:
 *
 *   node_modules/.bin/bun bench/delivery.ts [--runs 20] [--duration 5] [--rounds 3] [--connections 50]
 *
 * Needs `wrk` (`apt-get install -y wrk`). Everything listens on 127.0.0.1;
 * the store is a SQLite file database (WAL, synchronous=FULL) with 10 secrets.
 *
 * (a) `secrets render` of a 4 KiB artifact with 10 placeholders, process
 *     start to file written: as a client of a real `secrets serve` (no key,
 *     no database in its environment) and locally (key and database), alternated;
 *     with them, in the same rounds, an agent's other two commands: `secrets
 *     get` of one secret and `secrets run` of /bin/true with one secret in its
 *     environment, as a client and locally.
 * (b) `POST /render` of that artifact (10 audited reads a request) at
 *     `--connections`, through wrk with a Lua script for the body and the
 *     Authorization header (so the token is in no argv), next to a bare Hono
 *     hello-world on the same runtime and startServer; audit rows the
 *     server wrote during each run are counted in the database.
 * (c) audit rows per second in one process, 50 concurrent requests of 10
 *     rows each: through the AuditBatcher (group commit, what the server
 *     does), and through one transaction per request (what it did before:
 *     `writeTransaction` around `AuditLog.append`, the old `writeAudit`).
 *
 * Results go to docs/benchmarks.md, section "Client delivery".
 * With `--hello-server PORT` this file is the hello-world server itself.
 */
import { Hono } from 'hono'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { AuditEntry } from '../src/audit/audit-log.ts'
import { synchronousChainSigner } from '../src/audit/chain-hmac.ts'
import { useSynchronousChainLinks } from '../src/audit/chain-signer.ts'
import { ClientService } from '../src/clients/client.service.ts'
import { openSecrets, type SecretsContext } from '../src/context.ts'
import { startServer } from '../src/http/server.ts'
import { writeTransaction } from '../src/store/transaction.ts'
import { machine, median, timeCommand, writeSection } from './lib.ts'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'hello-server': { type: 'string' },
  },
})

if (values['hello-server'] !== undefined) {
  const app = new Hono()
  app.get('/', (c) => c.text('Hello World!'))
  await startServer(app.fetch, { host: '127.0.0.1', port: Number(values['hello-server']) })
} else {
  await benchmark()
}

async function freePort(): Promise<number> {
  const s = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
  const port = s.port!
  s.stop(true)
  return port
}

async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not listening yet
    }
    await Bun.sleep(50)
  }
  throw new Error(`${url} did not come up`)
}

async function wrk(url: string, seconds: number, script?: string): Promise<{ rps: number; p50: string; p99: string }> {
  const args = ['/usr/bin/wrk', '-t2', `-c${values.connections}`, `-d${seconds}s`, '--latency', ...(script ? ['-s', script] : []), url]
  const p = Bun.spawn(args, { stdout: 'pipe', stderr: 'pipe' })
  const out = await new Response(p.stdout).text()
  if ((await p.exited) !== 0) throw new Error(`wrk failed: ${await new Response(p.stderr).text()}`)
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
  if (!Number.isFinite(rps)) throw new Error(`cannot read wrk output:\n${out}`)
  if (non2xx > 0) throw new Error(`${url}: ${non2xx} answers were not 2xx`)
  return { rps, p50: /\s50%\s+(\S+)/.exec(out)?.[1] ?? '?', p99: /\s99%\s+(\S+)/.exec(out)?.[1] ?? '?' }
}

async function auditRows(ctx: SecretsContext): Promise<number> {
  return Number((await ctx.store.db.selectFrom('secret_access_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
}

/** (c): `requests` appends of 10 rows, 50 at a time; rows/s and transactions. */
async function auditLoad(ctx: SecretsContext, batched: boolean, requests: number): Promise<{ rowsPerSec: number; transactions: number }> {
  const rows = (i: number): AuditEntry[] =>
    Array.from({ length: 10 }, (_, k) => ({ secret_name: `TOKEN_${k}`, action: 'read', accessor: 'client:bench', label: null, reason: `load ${i}`, outcome: 'ok', at: new Date().toISOString() }))
  const before = ctx.service.auditBatcher.stats.batches
  let next = 0
  let transactions = 0
  const worker = async () => {
    while (next < requests) {
      const i = next++
      if (batched) await ctx.service.auditBatcher.append(rows(i))
      else {
        await writeTransaction(ctx.store.db, (trx) => ctx.service.auditLog.append(trx, rows(i)))
        transactions++
      }
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: 50 }, worker))
  const seconds = (performance.now() - t0) / 1000
  return { rowsPerSec: (requests * 10) / seconds, transactions: batched ? ctx.service.auditBatcher.stats.batches - before : transactions }
}

async function benchmark(): Promise<void> {
  const root = join(import.meta.dir, '..')
  const bin = join(root, 'bin/secrets')
  const dir = mkdtempSync(join(tmpdir(), 'chs-bench-delivery-'))
  const children: Array<ReturnType<typeof Bun.spawn>> = []
  const RUNS = Number(values.runs)
  const seconds = Number(values.duration)
  try {
    const env = {
      ...(process.env as Record<string, string>),
      CLAUDE_HOOKS_SECRET_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
      DATABASE_URL: `file:${join(dir, 's.db')}`,
    }
    const ctx = await openSecrets(env)
    for (let i = 0; i < 10; i++) await ctx.service.create({ name: `TOKEN_${i}`, value: `value-${i}-${'x'.repeat(30)}` }, { accessor: 'bench', reason: 'setup' })
    const clients = new ClientService({ db: ctx.store.db })
    await clients.add({ name: 'bench', grants: ['TOKEN_*'] })
    const { token } = await clients.issueToken('bench')
    // The artifact of bench/startup.ts: about 4 KiB, 10 placeholders over 10 secrets.
    const lines: string[] = []
    for (let i = 0; lines.join('\n').length < 4000; i++) {
      lines.push(i % 8 === 0 && i / 8 < 10 ? `  token_${i / 8}: "\${SECRET:TOKEN_${i / 8}}"` : `  key_${i}: "some ordinary configuration value number ${i}"`)
    }
    const artifactText = `${lines.join('\n')}\n`
    const artifact = join(dir, 'artifact.yaml')
    writeFileSync(artifact, artifactText)

    const appPort = await freePort()
    const helloPort = await freePort()
    children.push(
      Bun.spawn([bin, 'serve', '--host', '127.0.0.1', '--port', String(appPort)], { env, stdout: 'ignore', stderr: Bun.file(join(dir, 'serve.log')) }),
      Bun.spawn([process.execPath, import.meta.path, '--hello-server', String(helloPort)], { stdout: 'ignore', stderr: 'inherit' }),
    )
    const app = `http://127.0.0.1:${appPort}`
    const hello = `http://127.0.0.1:${helloPort}/`
    await waitUp(`${app}/healthz`)
    await waitUp(hello)

    // (a) client render vs local render, alternated.
    const tokenFile = join(dir, 'bench.token')
    writeFileSync(tokenFile, token, { mode: 0o600 })
    const { CLAUDE_HOOKS_SECRET_KEY: _key, DATABASE_URL: _url, ...bare } = env
    const clientEnv = { ...bare, CLAUDE_HOOKS_SECRETS_URL: app, CLAUDE_HOOKS_SECRETS_TOKEN_FILE: tokenFile }
    const clientOut = join(dir, 'client.yaml')
    const localOut = join(dir, 'local.yaml')
    const clientCmd = [bin, 'render', '--reason', 'bench', artifact, clientOut]
    const localCmd = [bin, 'render', '--accessor', 'bench', '--reason', 'bench', artifact, localOut]
    // Issue 19's floor (bench/render-floor.ts: the same render's work in a bare script) in the same rounds.
    await timeCommand([process.execPath, join(import.meta.dir, 'render-floor.ts'), 'setup', dir])
    const floorCmd = [process.execPath, join(import.meta.dir, 'render-floor.ts'), dir, artifact, join(dir, 'floor-out.yaml')]
    const samples = { bare: [] as number[], floor: [] as number[], client: [] as number[], local: [] as number[] }
    // get and run: client and local, same rounds (local ones name an accessor; a client's token is its identity).
    const agent = {
      'client get': { cmd: [bin, 'get', 'TOKEN_0', '--reason', 'bench'], env: clientEnv },
      'local get': { cmd: [bin, 'get', 'TOKEN_0', '--accessor', 'bench', '--reason', 'bench'], env },
      'client run': { cmd: [bin, 'run', '--env', 'X=${SECRET:TOKEN_0}', '--reason', 'bench', '--', '/bin/true'], env: clientEnv },
      'local run': { cmd: [bin, 'run', '--env', 'X=${SECRET:TOKEN_0}', '--accessor', 'bench', '--reason', 'bench', '--', '/bin/true'], env },
    }
    const agentSamples: Record<string, number[]> = {}
    await timeCommand(clientCmd, { env: clientEnv })
    await timeCommand(localCmd, { env })
    for (const { cmd, env: e } of Object.values(agent)) await timeCommand(cmd, { env: e })
    for (let r = 0; r < RUNS; r++) {
      samples.bare.push(await timeCommand([process.execPath, '-e', '']))
      samples.floor.push(await timeCommand(floorCmd))
      samples.client.push(await timeCommand(clientCmd, { env: clientEnv }))
      samples.local.push(await timeCommand(localCmd, { env }))
      for (const [what, { cmd, env: e }] of Object.entries(agent)) (agentSamples[what] ??= []).push(await timeCommand(cmd, { env: e }))
    }
    const rendered = readFileSync(localOut, 'utf8')
    if (readFileSync(clientOut, 'utf8') !== rendered || rendered.includes('${SECRET:') || !rendered.includes('value-9-')) {
      throw new Error('the client and local renders differ, or left placeholders')
    }
    const [bareMs, floorMs, clientMs, localMs] = [median(samples.bare), median(samples.floor), median(samples.client), median(samples.local)]
    console.log(`(a) bun -e '' ${bareMs.toFixed(1)} ms, floor ${floorMs.toFixed(1)} ms, client render ${clientMs.toFixed(1)} ms, local render ${localMs.toFixed(1)} ms`)
    const agentMs = Object.fromEntries(Object.entries(agentSamples).map(([what, ms]) => [what, median(ms)]))
    console.log(`(a) ${Object.entries(agentMs).map(([what, ms]) => `${what} ${ms.toFixed(1)} ms`).join(', ')}`)

    // (b) POST /render under wrk vs hello-world, alternated; audit rows counted.
    const script = join(dir, 'render.lua')
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.body = ${JSON.stringify(artifactText)}\nwrk.headers["Content-Type"] = "text/plain"\n` +
        `wrk.headers["X-Secrets-Reason"] = "bench"\nwrk.headers["Authorization"] = "Bearer " .. ${JSON.stringify(token)}\n`,
    )
    chmodSync(script, 0o600)
    await wrk(hello, 2)
    await wrk(`${app}/render`, 2, script)
    const helloRuns: number[] = []
    const renderRuns: Array<{ rps: number; p50: string; p99: string; rowsPerSec: number }> = []
    for (let r = 0; r < Number(values.rounds); r++) {
      helloRuns.push((await wrk(hello, seconds)).rps)
      const rowsBefore = await auditRows(ctx)
      const t0 = performance.now()
      const res = await wrk(`${app}/render`, seconds, script)
      const rowsPerSec = ((await auditRows(ctx)) - rowsBefore) / ((performance.now() - t0) / 1000)
      renderRuns.push({ ...res, rowsPerSec })
      console.log(`(b) round ${r + 1}: hello ${Math.round(helloRuns.at(-1)!)} req/s; POST /render ${Math.round(res.rps)} req/s, ${Math.round(rowsPerSec)} audit rows/s, p50 ${res.p50}, p99 ${res.p99}`)
    }
    const helloRps = median(helloRuns)
    const renderRps = median(renderRuns.map((x) => x.rps))
    const mid = renderRuns.find((x) => x.rps === renderRps) ?? renderRuns[0]!
    const serverRows = median(renderRuns.map((x) => x.rowsPerSec))
    for (const c of children) c.kill()
    await Promise.all(children.map((c) => c.exited))
    children.length = 0

    // (c) audit rows/s in one process: group commit vs one transaction per request, alternated;
    // links computed as the server computes them (createApp: synchronous, chain-signer.ts).
    useSynchronousChainLinks(synchronousChainSigner)
    const REQUESTS = 2000
    const on: Array<{ rowsPerSec: number; transactions: number }> = []
    const off: Array<{ rowsPerSec: number; transactions: number }> = []
    for (let r = 0; r < Number(values.rounds); r++) {
      on.push(await auditLoad(ctx, true, REQUESTS))
      off.push(await auditLoad(ctx, false, REQUESTS))
      console.log(`(c) round ${r + 1}: group commit ${Math.round(on.at(-1)!.rowsPerSec)} rows/s in ${on.at(-1)!.transactions} transactions; one per request ${Math.round(off.at(-1)!.rowsPerSec)} rows/s`)
    }
    const verified = await ctx.service.auditLog.verify(ctx.store.db)
    if (!verified.ok) throw new Error('the audit chain does not verify after the benchmark')
    await ctx.close()
    const onRows = median(on.map((x) => x.rowsPerSec))
    const offRows = median(off.map((x) => x.rowsPerSec))
    const onTx = median(on.map((x) => x.transactions))

    const ratio = renderRps / helloRps
    const body = `Command: \`node_modules/.bin/bun bench/delivery.ts --runs ${RUNS} --duration ${seconds} --rounds ${values.rounds} --connections ${values.connections}\`, ${new Date().toISOString().slice(0, 10)}, ${machine()}.
SQLite file database (WAL, \`synchronous=FULL\`), 10 secrets; the artifact is 4 KiB with 10 placeholders; the server is \`bin/secrets serve\` (request log on, to a file).
Medians of runs alternated in one run; the audit chain verified afterwards (${verified.rows} rows).

| (a) \`secrets render\` of the artifact, process start to file written | median |
| --- | --- |
| \`bun -e ''\` (Bun alone) | ${bareMs.toFixed(1)} ms |
| bench/render-floor.ts (issue 19's floor: the same work in a bare script) | ${floorMs.toFixed(1)} ms |
| local (\`CLAUDE_HOOKS_SECRET_KEY\`, \`DATABASE_URL\`) | ${localMs.toFixed(1)} ms (${(localMs / floorMs).toFixed(2)}x the floor) |
| client of \`secrets serve\` (\`CLAUDE_HOOKS_SECRETS_URL\`, token file; no key, no database) | ${clientMs.toFixed(1)} ms (${(clientMs / localMs).toFixed(2)}x local, ${(clientMs / floorMs).toFixed(2)}x the floor; issue 19 aims at 1.5x at most) |
| \`secrets get TOKEN_0\`, client / local | ${agentMs['client get']!.toFixed(1)} ms / ${agentMs['local get']!.toFixed(1)} ms |
| \`secrets run --env 'X=\${SECRET:TOKEN_0}' -- /bin/true\`, client / local | ${agentMs['client run']!.toFixed(1)} ms / ${agentMs['local run']!.toFixed(1)} ms |

| (b) \`wrk -t2 -c${values.connections} -d${seconds}s\`, ${values.rounds} rounds | req/s | x hello-world | p50 | p99 | audit rows/s |
| --- | --- | --- | --- | --- | --- |
| hello-world (bare Hono, same runtime and startServer) | ${Math.round(helloRps)} | 1.00x | | | |
| \`POST /render\` with a client token (10 audited reads a request) | ${Math.round(renderRps)} | ${ratio.toFixed(2)}x | ${mid.p50} | ${mid.p99} | ${Math.round(serverRows)} |

Aim: \`POST /render\` at least 0.1x the hello-world with every read audited and durable. Measured: ${ratio.toFixed(2)}x (${ratio >= 0.1 ? 'met' : 'NOT met'}).

| (c) audit appends in one process: ${REQUESTS} requests of 10 rows, 50 at a time | rows/s | transactions |
| --- | --- | --- |
| group commit (AuditBatcher, as the server does) | ${Math.round(onRows)} | ${onTx} |
| one transaction per request (the path before group commit) | ${Math.round(offRows)} | ${REQUESTS} |

Group commit: ${(onRows / offRows).toFixed(1)}x the rows/s of one transaction (one fsync) per request, ${Math.round((REQUESTS * 10) / onTx)} rows a transaction.
Under wrk the server appended ${Math.round(serverRows)} rows/s, ${Math.round((100 * serverRows) / onRows)}% of what the append path reaches alone in (c).
What a render costs the server is CPU, not the fsync (one per batch of up to 50 requests): about 400-450 us per request in
process (\`app.fetch\`, 50 at a time, no network), against about 10 us for the hello-world. A CPU profile of that loop
(\`bun --cpu-prof-md\`, taken once) splits it: AES-GCM decryption of the 10 values by WebCrypto about 15% (the master key
is a non-extractable WebCrypto key: each call crosses to WebCrypto's worker and back), the batch's multi-row INSERT into
the indexed log about 15%, SQLite reads (the token, its grants, the 10 sealed rows, the head) about 13%, the HMAC links
about 4%; the rest is HTTP, the middleware, the scan and the substitution. See "Speed (issue 19): where the time goes".
The client render skips the key check, the database open and the migrations check, and pays one HTTP round trip instead.`
    console.log(`\n${body}`)
    await writeSection('Client delivery', body)
  } finally {
    for (const c of children) c.kill()
    await Promise.all(children.map((c) => c.exited))
    rmSync(dir, { recursive: true, force: true })
  }
}
