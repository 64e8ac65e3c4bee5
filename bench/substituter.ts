/**
 * Longer than the usual 300 lines: one benchmark script, its corpora, the
 * side-by-side runs and the section it writes belong together.
 *
 * Substituter benchmark: our renderer side by side with `cat | cat` and GNU
 * envsubst, on generated sparse and dense corpora, several repetitions,
 * medians, peak RSS. Writes the "Substituter" section of docs/benchmarks.md.
 *
 *   node_modules/.bin/bun bench/substituter.ts [--size 64,512] [--quick] [--reps N] [--stub] [--no-doc] [--json-only]
 *
 * --size   corpus sizes in MiB (default 64,512; with --quick, 64)
 * --quick  3 repetitions instead of 5, and 64 MiB unless --size is given
 * --reps   repetitions (overrides the above)
 * --stub   also time bench/render-cli-stub.ts (renderFile with in-memory
 *          values, no database, no CLI parsing) next to the real command
 * --no-doc print the tables only, leave docs/benchmarks.md alone
 * --json-only  only the "JSON context" rows (--format json against
 *          --format raw on JSON corpora); prints them, never writes the doc
 *
 * The command under test is the real CLI, `bin/secrets render --accessor
 * bench --reason bench`, on a temporary SQLite database seeded with the
 * bench's 100 secrets under a random master key (so each run decrypts them
 * and writes one audit row per name, like a real render).
 *
 * Every tool reads its input from stdin and writes to /dev/null (the
 * `> out` rows: to a regular file, removed after each run); peak RSS is
 * measured around the tool only (`/usr/bin/time -f %M`). Two forms:
 *   pipe: `cat FILE | TOOL`  (the tool reads a pipe; our renderer must spool it)
 *   file: `TOOL < FILE`      (stdin is the file; our renderer reads it twice)
 * Before timing, each corpus is rendered once by our renderer and by envsubst
 * and the outputs are compared (SHA-256): they must be identical.
 *
 * JSON context rows: the same command with `--format raw` and with
 * `--format json` on JSON corpora (bench/corpus.ts ensureJsonCorpus: every
 * placeholder inside a string, quotes every few bytes), file form, plus pass 1
 * alone in-process (the scan with position records, where the JSON string
 * state is tracked). The bench values are JSON-safe, so both formats must
 * give the same output (checked before timing).
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpus } from 'node:os'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSecrets } from '../src/context.ts'
import { PositionRecorder } from '../src/render/record.ts'
import { PlaceholderScanner, type RenderFormat } from '../src/render/scanner.ts'
import { BENCH_NAMES, benchValue, corpusPaths, ensureCorpus, ensureJsonCorpus, envsubstEnv, envsubstFormat, type Kind } from './corpus.ts'
import { writeSection } from './lib.ts'
import { measurePhases, type Phases } from './substituter-phases.ts'

/**
 * THE command under test (a shell word list, run from the repository root,
 * reading stdin and writing stdout): the real CLI, with DATABASE_URL and
 * CLAUDE_HOOKS_SECRET_KEY in its environment (see seedDatabase).
 */
const RENDER_CMD = 'bin/secrets render --accessor bench --reason bench'
/** The stand-in without database or CLI (renderFile and in-memory values), with --stub. */
const STUB_CMD = 'node_modules/.bin/bun bench/render-cli-stub.ts'

const ROOT = join(import.meta.dir, '..')
const OUT_DIR = join(ROOT, 'bench', 'out')
const DOC = join(ROOT, 'docs', 'benchmarks.md')
const TIME = '/usr/bin/time'
const MIB = 1024 * 1024

interface Args {
  sizes: number[]
  reps: number
  doc: boolean
  stub: boolean
  jsonOnly: boolean
}

function parseArgs(argv: string[]): Args {
  const quick = argv.includes('--quick')
  let sizes = quick ? [64] : [64, 512]
  let reps = quick ? 3 : 5
  let doc = true
  let stub = false
  let jsonOnly = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--size') sizes = argv[++i]!.split(',').map((x) => Number(x))
    else if (a === '--reps') reps = Number(argv[++i])
    else if (a === '--no-doc') doc = false
    else if (a === '--stub') stub = true
    else if (a === '--json-only') jsonOnly = true
    else if (a !== '--quick') throw new Error(`unknown argument ${a}`)
  }
  if (sizes.some((s) => !Number.isInteger(s) || s <= 0) || !(reps >= 1)) throw new Error('bad --size or --reps')
  return { sizes, reps, doc: doc && !jsonOnly, stub, jsonOnly }
}

interface Tool {
  label: string
  /** The shell pipeline; `{T}` marks where the RSS-measuring time wrapper goes. */
  cmd: (files: { secret: string; env: string }) => string
  /** Which file it reads (for MB/s). */
  input: 'secret' | 'env'
  /** Untimed, after each run (removes an output file before its pages are written back). */
  cleanup?: string
}

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

const args = parseArgs(process.argv.slice(2))

const scratch = mkdtempSync(join(tmpdir(), 'bench-substituter-'))

const TOOLS: Tool[] = [
  { label: 'cat | cat', cmd: (f) => `cat ${q(f.secret)} | {T} cat > /dev/null`, input: 'secret' },
  { label: 'cat | envsubst', cmd: (f) => `cat ${q(f.env)} | {T} envsubst "$FMT" > /dev/null`, input: 'env' },
  { label: 'cat | secrets render', cmd: (f) => `cat ${q(f.secret)} | {T} ${RENDER_CMD} > /dev/null`, input: 'secret' },
  ...(args.stub ? [{ label: 'cat | stub', cmd: (f) => `cat ${q(f.secret)} | {T} ${STUB_CMD} > /dev/null`, input: 'secret' } as Tool] : []),
  { label: 'envsubst < file', cmd: (f) => `{T} envsubst "$FMT" < ${q(f.env)} > /dev/null`, input: 'env' },
  { label: 'secrets render < file', cmd: (f) => `{T} ${RENDER_CMD} < ${q(f.secret)} > /dev/null`, input: 'secret' },
  ...(args.stub ? [{ label: 'stub < file', cmd: (f) => `{T} ${STUB_CMD} < ${q(f.secret)} > /dev/null`, input: 'secret' } as Tool] : []),
  // Output to a regular file (in the scratch directory, removed after each run).
  {
    label: 'envsubst < file > out',
    cmd: (f) => `{T} envsubst "$FMT" < ${q(f.env)} > ${q(join(scratch, 'out'))}`,
    input: 'env',
    cleanup: `rm -f ${q(join(scratch, 'out'))}`,
  },
  {
    label: 'secrets render < file > out',
    cmd: (f) => `{T} ${RENDER_CMD} < ${q(f.secret)} > ${q(join(scratch, 'out'))}`,
    input: 'secret',
    cleanup: `rm -f ${q(join(scratch, 'out'))}`,
  },
]
/** Ours: the real command and, with --stub, the stand-in. */
const isOurs = (label: string) => label.includes('secrets render') || label.includes('stub')

const ENV: Record<string, string | undefined> = {
  ...process.env,
  ...envsubstEnv(),
  FMT: envsubstFormat(),
  DATABASE_URL: `file:${join(scratch, 'bench.db')}`,
  CLAUDE_HOOKS_SECRET_KEY: randomBytes(32).toString('base64'),
}

/** Creates the bench's secrets in the temporary database, through the library. */
async function seedDatabase(): Promise<void> {
  const ctx = await openSecrets(ENV)
  try {
    for (const name of BENCH_NAMES) await ctx.service.create({ name, value: benchValue(name)! }, { accessor: 'bench', reason: 'bench seed' })
  } finally {
    await ctx.close()
  }
}

function sh(cmd: string): { ms: number; stderr: string } {
  const t0 = performance.now()
  const r = spawnSync('sh', ['-c', cmd], { cwd: ROOT, env: ENV, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 20 })
  const ms = performance.now() - t0
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}\n${r.stderr}`)
  return { ms, stderr: String(r.stderr) }
}

function shOut(cmd: string): string {
  const r = spawnSync('sh', ['-c', cmd], { cwd: ROOT, env: ENV, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}\n${r.stderr}`)
  return r.stdout.trim()
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

interface Row {
  kind: Kind
  mib: number
  tool: string
  medianMs: number
  mbps: number
  rssMiB: number
}

function runCorpus(kind: Kind, mib: number, reps: number, scratch: string): Row[] {
  const files = ensureCorpus(OUT_DIR, kind, mib)
  // Freshly generated corpora leave gigabytes of dirty pages; their
  // writeback would slow whichever command runs meanwhile.
  shOut('sync')
  // Untimed: same output as envsubst, and warm page cache.
  const theirs = shOut(`envsubst "$FMT" < ${q(files.env)} | sha256sum`)
  for (const cmd of args.stub ? [RENDER_CMD, STUB_CMD] : [RENDER_CMD]) {
    if (shOut(`${cmd} < ${q(files.secret)} | sha256sum`) !== theirs) throw new Error(`${kind} ${mib} MiB: ${cmd} output differs from envsubst's`)
    if (shOut(`cat ${q(files.secret)} | ${cmd} | sha256sum`) !== theirs) throw new Error(`${kind} ${mib} MiB: cat | ${cmd} output differs from envsubst's`)
  }
  const times = TOOLS.map(() => [] as number[])
  const rss = TOOLS.map(() => 0)
  const rssFile = join(scratch, 'rss')
  for (let r = 0; r < reps; r++) {
    // Interleaved, so drift on this shared machine hits every tool alike.
    TOOLS.forEach((tool, i) => {
      const cmd = tool.cmd(files).replace('{T}', `${TIME} -f %M -o ${q(rssFile)}`)
      times[i]!.push(sh(cmd).ms)
      rss[i] = Math.max(rss[i]!, Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024)
      if (tool.cleanup) sh(tool.cleanup)
    })
    process.stderr.write('.')
  }
  return TOOLS.map((tool, i) => {
    const ms = median(times[i]!)
    const bytes = statSync(files[tool.input]).size
    return { kind, mib, tool: tool.label, medianMs: ms, mbps: bytes / 1e6 / (ms / 1000), rssMiB: rss[i]! }
  })
}

interface JsonRow {
  kind: Kind
  mib: number
  tool: string
  medianMs: number
  mbps: number
}

/** Pass 1 alone, in-process: the whole file in 1 MiB chunks through the scanner and position records. */
function pass1Ms(body: Uint8Array, format: RenderFormat): number {
  const recorder = new PositionRecorder({ onFull() {} })
  const scanner = new PlaceholderScanner(recorder, { format })
  const t0 = performance.now()
  for (let at = 0; at < body.length; at += MIB) scanner.push(body.subarray(at, at + MIB))
  scanner.end()
  return performance.now() - t0
}

/** `--format json` against `--format raw` on a JSON corpus, interleaved. */
function runJsonCorpus(kind: Kind, mib: number, reps: number): JsonRow[] {
  const file = ensureJsonCorpus(OUT_DIR, kind, mib)
  shOut('sync')
  const raw = shOut(`${RENDER_CMD} --format raw < ${q(file)} | sha256sum`)
  if (shOut(`${RENDER_CMD} --format json < ${q(file)} | sha256sum`) !== raw) throw new Error(`JSON ${kind} ${mib} MiB: --format json output differs from --format raw`)
  const cmds = [
    { tool: 'cat | cat', cmd: `cat ${q(file)} | cat > /dev/null` },
    { tool: 'secrets render --format raw < file', cmd: `${RENDER_CMD} --format raw < ${q(file)} > /dev/null` },
    { tool: 'secrets render --format json < file', cmd: `${RENDER_CMD} --format json < ${q(file)} > /dev/null` },
  ]
  const body = new Uint8Array(readFileSync(file))
  const times = [...cmds.map(() => [] as number[]), [] as number[], [] as number[]]
  for (let r = 0; r < reps; r++) {
    cmds.forEach((c, i) => times[i]!.push(sh(c.cmd).ms))
    times[cmds.length]!.push(pass1Ms(body, 'raw'))
    times[cmds.length + 1]!.push(pass1Ms(body, 'json'))
    process.stderr.write('.')
  }
  const labels = [...cmds.map((c) => c.tool), 'pass 1 in-process, raw', 'pass 1 in-process, json']
  return labels.map((tool, i) => {
    const ms = median(times[i]!)
    return { kind, mib, tool, medianMs: ms, mbps: body.length / 1e6 / (ms / 1000) }
  })
}

function jsonTable(rows: JsonRow[]): string {
  const lines = ['| JSON corpus | command | median | MB/s |', '| --- | --- | ---: | ---: |']
  for (const r of rows) lines.push(`| ${r.kind} ${r.mib} MiB | \`${r.tool.replaceAll('|', '\\|')}\` | ${fmt(r.medianMs, 1)} ms | ${fmt(r.mbps)} |`)
  const verdicts: string[] = []
  for (const mib of [...new Set(rows.map((r) => r.mib))]) {
    for (const kind of ['sparse', 'dense'] as const) {
      const find = (tool: string) => rows.find((r) => r.kind === kind && r.mib === mib && r.tool === tool)
      const [cr, cj, pr, pj] = [find('secrets render --format raw < file'), find('secrets render --format json < file'), find('pass 1 in-process, raw'), find('pass 1 in-process, json')]
      if (cr && cj && pr && pj) {
        verdicts.push(
          `- ${kind} ${mib} MiB, \`--format json\` throughput vs \`--format raw\` (target >= 0.5x): whole command ${fmt(cr.medianMs / cj.medianMs, 2)}x, pass 1 alone ${fmt(pr.medianMs / pj.medianMs, 2)}x`,
        )
      }
    }
  }
  return `${lines.join('\n')}\n\n${verdicts.join('\n')}`
}

/**
 * The fixed cost of one render, whatever the input: start-up, opening the
 * database, decrypting and auditing. Interleaved runs on an empty input and
 * on a small one that uses each of the 100 names once.
 */
function fixedCost(reps: number, scratch: string): { label: string; ms: number }[] {
  const small = join(scratch, 'small.txt')
  writeFileSync(small, BENCH_NAMES.map((n) => `${n.toLowerCase()}: \${SECRET:${n}}\n`).join(''))
  const cmds = [
    { label: '`bun -e 0` (Bun start-up alone)', cmd: 'node_modules/.bin/bun -e 0' },
    { label: '`secrets render < /dev/null` (no names)', cmd: `${RENDER_CMD} < /dev/null > /dev/null` },
    { label: '`secrets render < small` (100 names, 3 KiB)', cmd: `${RENDER_CMD} < ${q(small)} > /dev/null` },
    ...(args.stub ? [{ label: '`stub < small`', cmd: `${STUB_CMD} < ${q(small)} > /dev/null` }] : []),
  ]
  const times = cmds.map(() => [] as number[])
  for (let r = 0; r < Math.max(5, 2 * reps); r++) cmds.forEach((c, i) => times[i]!.push(sh(c.cmd).ms))
  return cmds.map((c, i) => ({ label: c.label, ms: median(times[i]!) }))
}

function fmt(x: number, digits = 0): string {
  return x.toFixed(digits)
}

function table(rows: Row[]): string {
  const lines = [
    '| corpus | command | median | MB/s | time vs `cat \\| cat` | speed vs envsubst (same form) | peak RSS of the tool |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const r of rows) {
    const group = rows.filter((x) => x.kind === r.kind && x.mib === r.mib)
    const cat = group.find((x) => x.tool === 'cat | cat')!
    const pipe = r.tool.startsWith('cat |')
    const env = group.find((x) => x.tool === (pipe ? 'cat | envsubst' : r.tool.endsWith('> out') ? 'envsubst < file > out' : 'envsubst < file'))!
    const vsCat = `${fmt(r.medianMs / cat.medianMs, 2)}x`
    const vsEnv = isOurs(r.tool) ? `${fmt(env.medianMs / r.medianMs, 2)}x faster` : ''
    lines.push(
      `| ${r.kind} ${r.mib} MiB | \`${r.tool.replaceAll('|', '\\|')}\` | ${fmt(r.medianMs)} ms | ${fmt(r.mbps)} | ${vsCat} | ${vsEnv} | ${fmt(r.rssMiB, 1)} MiB |`,
    )
  }
  return lines.join('\n')
}

function verdicts(rows: Row[]): string[] {
  const out: string[] = []
  const find = (kind: Kind, mib: number, tool: string) => rows.find((r) => r.kind === kind && r.mib === mib && r.tool === tool)
  for (const mib of [...new Set(rows.map((r) => r.mib))]) {
    const sc = find('sparse', mib, 'cat | cat')
    const so = find('sparse', mib, 'cat | secrets render')
    const sf = find('sparse', mib, 'secrets render < file')
    if (sc && so && sf) {
      out.push(
        `- sparse ${mib} MiB, throughput vs \`cat | cat\` (target >= 0.8x): pipe form ${fmt(sc.medianMs / so.medianMs, 2)}x, file form ${fmt(sc.medianMs / sf.medianMs, 2)}x`,
      )
    }
    const de = find('dense', mib, 'cat | envsubst')
    const dO = find('dense', mib, 'cat | secrets render')
    const dfe = find('dense', mib, 'envsubst < file')
    const df = find('dense', mib, 'secrets render < file')
    const deo = find('dense', mib, 'envsubst < file > out')
    const dfo = find('dense', mib, 'secrets render < file > out')
    if (de && dO && dfe && df && deo && dfo) {
      out.push(
        `- dense ${mib} MiB, speed vs GNU envsubst (target >= 5x): pipe form ${fmt(de.medianMs / dO.medianMs, 2)}x, file form ${fmt(dfe.medianMs / df.medianMs, 2)}x, file form writing a file ${fmt(deo.medianMs / dfo.medianMs, 2)}x`,
      )
    }
  }
  const ours = rows.filter((r) => isOurs(r.tool))
  const peak = Math.max(...ours.map((r) => r.rssMiB))
  const bySize = [...new Set(rows.map((r) => r.mib))].map((mib) => `${mib} MiB: ${fmt(Math.max(...ours.filter((r) => r.mib === mib).map((r) => r.rssMiB)), 1)} MiB`)
  out.push(`- peak RSS of our renderer (target <= 96 MiB, flat): ${fmt(peak, 1)} MiB at most; by input size ${bySize.join(', ')}`)
  return out
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const kernel = shOut('uname -sr')
  const bun = shOut('node_modules/.bin/bun --version')
  const envsubst = shOut('envsubst --version | head -1')
  return `${cpus().length} x ${cpu}, ${kernel}; Bun ${bun}; ${envsubst}`
}

/** The reading of the figures that does not change from run to run (see the phase table for numbers). */
const ANALYSIS = `- **Before and after this change**, same machine, interleaved, the stand-in
  (\`node_modules/.bin/bun bench/render-cli-stub.ts < FILE\`, renderFile without CLI or database)
  at the commit before position records and with them, output to /dev/null,
  medians of 5: dense 512 MiB 1402 ms to 897 ms (-36%), dense 64 MiB 217 ms
  to 148 ms (-32%), sparse 512 MiB 235 ms to 189 ms (-20%). Writing a
  regular file gained more from 256 KiB writes (see "Tried, kept").
- **Two passes by design, the second one without scanning.** Every name
  must be known (and every malformed placeholder reported) before
  \`resolveAll\` decrypts anything and before a byte is written, so the input
  is read twice. Pass 1 scans: it validates every placeholder, collects the
  distinct names and records where each placeholder and escape is (8 bytes
  per construct: literal gap, construct length, name id; in a reused 1 MiB
  buffer, spooled to an unlinked 0600 temporary file beyond that). Pass 2
  reads the input and the records again and only copies literal runs and
  values (\`copyWithin\` inside one ArrayBuffer), checking that each recorded
  construct still starts with \`$\` and ends with \`}\`; the file's size,
  mtime and ctime are compared after the pass, so an input changed between
  the passes is reported instead of rendered wrongly. A regular file is
  simply read twice (page cache); a pipe is spooled during pass 1.
- **Fixed cost.** The real command pays Bun's start-up, loading the CLI,
  store and crypto modules, opening and migrating the database, decrypting
  the 100 secrets and writing their audit rows in one transaction: about
  50-85 ms against about 20 ms for the stub (fixed-cost table, two runs).
  At 64 MiB that is a large share of every row; at 512 MiB it is most of
  what separates the real command from the stub on sparse input. It is
  outside the renderer (src/cli, src/store, src/secrets).
- **Run-to-run variance** on this shared VM is large for anything that
  writes fresh page cache, and for \`cat | cat\` itself. A rerun right after
  the table above (\`node_modules/.bin/bun bench/substituter.ts --size 512 --reps 3 --no-doc\`)
  measured, for 512 MiB: \`cat | cat\` 345 ms (sparse) and 360 ms (dense)
  instead of 199 and 405 ms; \`secrets render < file\` 226 ms (sparse) and
  998 ms (dense, 2.73x envsubst); \`secrets render < file > out\` 358 ms
  (sparse) and 1686 ms (dense, 1.87x envsubst) instead of 1207 and 2706 ms.
  The record round trip in the phase table took 18 ms in one run and 101 ms
  in another for the same 70 MiB. Compare rows of one table only.
- **Sparse** input is I/O bound: reading the input twice (about 50 ms per
  512 MiB per read in-process), one scan for \`$\` and one copy. The file form
  meets the 0.8x \`cat | cat\` target or not depending on the run (0.70x
  above, 1.53x in the rerun); the stub, without the fixed cost, ran at
  1.02x. In the pipe form the spool dominates: on this VM writing fresh
  page cache is slow and erratic, so the pipe form misses the 0.8x target.
  Writing the output to a regular file pays the same toll (the \`> out\`
  rows). Prefer \`secrets render IN OUT\` or \`< file\` for large inputs.
- **Dense** input is CPU bound. Per placeholder, pass 1 costs one native
  \`indexOf\` per \`$\` (about 20 ns, mostly call overhead), the name loop
  (validate and hash about 20 bytes against a class table), a probe of the
  distinct-name table with a word-wise byte comparison, and two Int32 stores;
  pass 2 costs two \`copyWithin\` calls (about 8 ns each) and the
  bookkeeping around them. GNU envsubst is a byte-at-a-time loop whose speed
  hardly depends on density, so the ratio is best on sparse input. The 5x
  target on dense input is still missed: at about one placeholder per
  58 bytes, 5x envsubst leaves about 70 ns per placeholder for both passes,
  start-up and I/O, and pass 1 alone costs about 57-62 ns in JavaScript
  (the bare scan about 43 ns of it). Reaching 5x would need pass 1 at about
  half its cost: the native \`indexOf\` call per \`$\` alone is about 20 ns.
- Tried, kept: position records, so pass 2 copies instead of scanning (dense
  pass 2 from about 98 ns to about 29 ns per placeholder in-process; the
  records cost 8 bytes per placeholder, 70 MiB for the dense 512 MiB corpus,
  and their spool round trip 2-11 ns per placeholder); a distinct-name
  table of flat typed arrays with a four-bytes-at-a-time comparison
  (\`DataView\`) for pass 1 (about 4 ms less per dense 64 MiB, measured A/B);
  class-table name validation with the hash folded in; one ArrayBuffer for
  input, output and values so every copy is a \`copyWithin\`;
  \`crypto.getRandomValues\` instead of loading \`node:crypto\` for temporary
  names (about 4 ms of start-up); 256 KiB writes in pass 2 instead of 1 MiB:
  "fewer, larger writes" turned out slower here, as writing a dense 512 MiB
  render to a regular file took about 1.0-1.3 s with 128 or 256 KiB writes
  against 1.8-2.6 s with 512 KiB or 1 MiB writes (interleaved runs; probably
  the buffer staying in L2 cache while the kernel copies it), with no
  difference to /dev/null or a pipe; the read buffer size (128 KiB to 1 MiB)
  made no difference. No per-placeholder allocation is left in either pass
  (records and the name table are typed arrays), and names are ASCII by
  grammar, so the class-table loop already is the ASCII fast path. Tried, dropped (no difference beyond noise
  in interleaved A/B runs): finding the next \`$\` four bytes at a time with
  \`DataView\` words (SWAR) for up to 16, 32 or 64 bytes before calling
  \`indexOf\`; comparing \`{SECRET:\` as two int32 words; a cheaper hash than
  FNV-1a (hashing costs only 2-3 ns per placeholder); copying short runs with
  a JavaScript loop (faster below 16 bytes only; gaps and values are longer).
  Not tried: fusing the recorder into the scanner loop (its table probe, not
  the handler call, is what costs), a compact variable-length record (the
  record spool is already cheap), a trie of names walked during validation.
- **Memory** stays flat: a reused 1 MiB input buffer, a 256 KiB output
  buffer, a 1 MiB record buffer, one carried placeholder (at most 145 bytes),
  the names and the values; records beyond 1 MiB and a piped input go to
  unlinked temporary files, so peak RSS is the same at 64 and 512 MiB.`

const rows: Row[] = []
const jsonRows: JsonRow[] = []
let fixed: { label: string; ms: number }[] = []
try {
  await seedDatabase()
  if (!args.jsonOnly) {
    process.stderr.write('fixed cost\n')
    fixed = fixedCost(args.reps, scratch)
    for (const mib of args.sizes) {
      for (const kind of ['sparse', 'dense'] as const) {
        process.stderr.write(`${kind} ${mib} MiB `)
        rows.push(...runCorpus(kind, mib, args.reps, scratch))
        process.stderr.write('\n')
      }
    }
  }
  for (const mib of args.sizes) {
    for (const kind of ['sparse', 'dense'] as const) {
      process.stderr.write(`JSON ${kind} ${mib} MiB `)
      jsonRows.push(...runJsonCorpus(kind, mib, args.reps))
      process.stderr.write('\n')
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}

const jsonSection = `### JSON context: \`--format json\` against \`--format raw\`

The real command in the file form on JSON corpora (every placeholder inside a
JSON string, a \`"\` every few bytes: the hard case for tracking the string
state), and pass 1 alone in-process (scanner and position records over the
file in 1 MiB chunks, no I/O). Same output in both formats (checked).
${args.reps} repetitions, interleaved, medians.

${jsonTable(jsonRows)}`

if (args.jsonOnly) {
  console.log(`Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.\n\n${jsonSection}`)
  process.exit(0)
}

// In-process phase costs on the largest corpora measured above.
const phaseMib = Math.max(...args.sizes)
const phases = (['sparse', 'dense'] as const).map((kind) => {
  process.stderr.write(`phases ${kind} ${phaseMib} MiB\n`)
  return { kind, p: measurePhases(corpusPaths(OUT_DIR, kind, phaseMib).secret, args.reps) }
})

function phaseTable(): string {
  const ns = (ms: number, n: number) => (n > 0 ? `${fmt((ms * 1e6) / n, 1)} ns` : '-')
  const lines = [
    `| phase (${phaseMib} MiB corpus, in-process) | sparse | dense | dense, per placeholder |`,
    '| --- | ---: | ---: | ---: |',
  ]
  const row = (label: string, get: (p: Phases) => number, perPlaceholder = true) => {
    const [s, d] = [phases[0]!.p, phases[1]!.p]
    lines.push(`| ${label} | ${fmt(get(s), 1)} ms | ${fmt(get(d), 1)} ms | ${perPlaceholder ? ns(get(d), d.placeholders) : ''} |`)
  }
  row('read the file in 1 MiB chunks', (p) => p.readMs)
  row('+ scan (`indexOf` for `$`, validate and hash names), no-op handler', (p) => p.scanMs - p.readMs)
  row('+ names pass instead (distinct-name table lookup)', (p) => p.namesMs - p.readMs)
  row('+ substitution instead (lookup, coalesced copies): the old pass 2', (p) => p.substituteMs - p.readMs)
  row('+ pass 1 as rendered: names and position records', (p) => p.recordMs - p.readMs)
  row('+ pass 2 as rendered: copy from the records, no scan', (p) => p.replayMs - p.readMs)
  row('records: write to an unlinked temp file and read back', (p) => p.recordSpoolMs)
  row('spool: write the corpus to an unlinked temp file (pipe form only)', (p) => p.spoolWriteMs)
  const [s, d] = [phases[0]!.p, phases[1]!.p]
  lines.push('')
  lines.push(
    `Corpora: sparse ${s.placeholders} placeholders and ${s.dollars} \`$\` bytes; dense ${d.placeholders} placeholders and ${d.dollars} \`$\` bytes; records take ${fmt(s.recordBytes / MIB, 1)} MiB and ${fmt(d.recordBytes / MIB, 1)} MiB. A render of a regular file costs read + pass 1 + read + pass 2 (+ the records' round trip when they pass 1 MiB); from a pipe it also pays the pipe and the spool.`,
  )
  return lines.join('\n')
}

const command = `node_modules/.bin/bun bench/substituter.ts ${process.argv.slice(2).join(' ')}`.trim()
const generated = `Generated by \`bench/substituter.ts\`. Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Command under test: \`${RENDER_CMD}\` (stdin to stdout) with a temporary SQLite database holding the 100 bench secrets (DATABASE_URL=file:..., a random CLAUDE_HOOKS_SECRET_KEY): every run decrypts them and writes its audit rows.${args.stub ? ` "stub" is \`${STUB_CMD}\`: the same renderFile with in-memory values, no CLI, database or decryption.` : ''} Reproduce with:

    ${command}

${args.reps} repetitions per command, interleaved; medians. MB/s is the
tool's input bytes (10^6) per second; envsubst reads the \`\${NAME}\` twin of
each corpus, which is shorter, so compare tools by time ratios, not MB/s.
"time vs \`cat | cat\`" is the median time over that of \`cat FILE | cat\`
on the same corpus (lower is better); "speed vs envsubst" compares the same
form (pipe with pipe, file with file, a file written with a file written).
Output goes to /dev/null except in the \`> out\` rows, which write a regular
file (removed, untimed, after each run). Each run includes process start-up
and, for the real command, the database work (fixed-cost table below). Our
output (both forms) was checked identical to envsubst's on every corpus
before timing.

${table(rows)}

${verdicts(rows).join('\n')}

Fixed cost per render (medians of ${Math.max(5, 2 * args.reps)} interleaved runs), included in every row above:

| command | median |
| --- | ---: |
${fixed.map((f) => `| ${f.label} | ${fmt(f.ms)} ms |`).join('\n')}

${jsonSection}

### Where the time goes

${phaseTable()}

${ANALYSIS}`

console.log(generated)
if (args.doc) await writeSection('Substituter', generated)
