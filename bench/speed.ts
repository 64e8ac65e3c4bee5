/**
 * Issue 19's table: each figure of `secrets render` beside its own baseline,
 * interleaved in one run (the order rotating each round), medians; writes the "Speed (issue 19)"
 * section of docs/benchmarks.md.
 *
 *   node_modules/.bin/bun bench/speed.ts [--reps 5] [--size 256] [--rss 64,1024] [--before DIR] [--no-doc]
 *
 * --before DIR  also time DIR/bin/secrets (an older checkout, e.g. from
 *               `git archive COMMIT | tar -x -C DIR` with node_modules linked
 *               and its bundle built; it must read today's database schema)
 *               in the same rounds, for the "before" column
 * --before-name what the "before" column is, for the text (e.g. its commit)
 * --rss         corpus sizes (MiB) for the peak-RSS rows (default 64,1024)
 *
 * Rows (ours / baseline; the target is on the ratio):
 *   small render, 4 KiB, 10 placeholders, file to file / bench/render-floor.ts
 *   sparse (1 per 4 KiB) file to file (`secrets render IN OUT`) / `cat IN > OUT && sync OUT`
 *   sparse pipe to pipe (`cat IN | secrets render | cat`) / `cat IN | cat | cat`,
 *     with its floor, bench/pipe-floor.ts (the spool alone), in the same rounds
 *   dense (1 per 64 B) file to /dev/null (`secrets render IN > /dev/null`) / `envsubst < IN > /dev/null`
 *   dense file to file / `envsubst < IN > OUT && sync OUT`
 * `secrets render IN OUT` fsyncs OUT (and its directory) before it returns,
 * so the file baselines end with `sync OUT`. Every run of ours decrypts the
 * names it uses and writes their audit rows (SQLite, WAL, synchronous=FULL).
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { freshBundle } from '../src/cli/bundle/launch.ts'
import { openSecrets } from '../src/context.ts'
import { buildCliBundle } from '../scripts/build-cli.ts'
import { BENCH_NAMES, benchValue, ensureCorpus, envsubstEnv, envsubstFormat } from './corpus.ts'
import { machine, median, writeSection } from './lib.ts'

const { values: opt } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    size: { type: 'string', default: '256' },
    rss: { type: 'string', default: '64,1024' },
    before: { type: 'string' },
    'before-name': { type: 'string', default: 'an older checkout' },
    'no-doc': { type: 'boolean' },
  },
})
const REPS = Number(opt.reps)
const MIB = Number(opt.size)
const ROOT = join(import.meta.dir, '..')
const BUN = process.execPath
const scratch = mkdtempSync(join(tmpdir(), 'bench-speed-'))
const corpora = join(ROOT, 'bench/out/corpora')
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
const OUT = join(scratch, 'out.txt')
const ENV: Record<string, string | undefined> = {
  ...process.env,
  ...envsubstEnv(),
  FMT: envsubstFormat(),
  DATABASE_URL: `file:${join(scratch, 'bench.db')}`,
  CLAUDE_HOOKS_SECRET_KEY: randomBytes(32).toString('base64'),
}

function sh(cmd: string): number {
  const t0 = performance.now()
  const r = spawnSync('sh', ['-c', cmd], { cwd: ROOT, env: ENV, stdio: ['ignore', 'ignore', 'pipe'] })
  const ms = performance.now() - t0
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}\n${r.stderr}`)
  return ms
}

/** Peak RSS (MiB) of the command's process, by GNU time. */
function rss(cmd: string): number {
  const r = spawnSync('sh', ['-c', `/usr/bin/time -f %M -o ${q(join(scratch, 'rss'))} ${cmd}`], { cwd: ROOT, env: ENV, stdio: 'ignore' })
  if (r.status !== 0) throw new Error(`failed: ${cmd}`)
  return Number(require('node:fs').readFileSync(join(scratch, 'rss'), 'utf8').trim()) / 1024
}

interface Row {
  what: string
  ours: string
  base: string
  label: string
  /** 'faster': target is base/ours >= goal; 'time': ours/base <= goal. */
  kind: 'speed' | 'time'
  goal: number
  cleanup?: string
  /** What no render of this row can beat, timed in the same rounds (label, command). */
  floors?: [string, string][]
}

const small = join(scratch, 'small.yaml')
const sparse = ensureCorpus(corpora, 'sparse', MIB)
const dense = ensureCorpus(corpora, 'dense', MIB)
/** The issue's own figures as it was filed (256 MiB corpora, its machine and day): not measured here. */
const AS_FILED = ['119 ms (7x)', '0.53 s (0.46x)', '1.04 s (0.19x)', '0.62 s (3.7x)', '1.54 s (1.9x)']
const render = (bin: string) => `${bin} render --accessor bench --reason bench`
const ROWS = (bin: string): Row[] => [
  { what: 'small render (4 KiB, 10 placeholders), file to file', ours: `${render(bin)} ${q(small)} ${q(OUT)}`, base: `${BUN} bench/render-floor.ts ${q(scratch)} ${q(small)} ${q(OUT)}`, label: 'bench/render-floor.ts', kind: 'time', goal: 2 },
  { what: `sparse ${MIB} MiB, file to file`, ours: `${render(bin)} ${q(sparse.secret)} ${q(OUT)}`, base: `cat ${q(sparse.secret)} > ${q(OUT)} && sync ${q(OUT)}`, label: '`cat IN > OUT && sync OUT`', kind: 'speed', goal: 0.8, cleanup: `rm -f ${q(OUT)}` },
  { what: `sparse ${MIB} MiB, pipe to pipe`, ours: `cat ${q(sparse.secret)} | ${render(bin)} | cat > /dev/null`, base: `cat ${q(sparse.secret)} | cat | cat > /dev/null`, label: "`cat \\| cat \\| cat`", kind: 'speed', goal: 0.5,
    floors: ['copy', 'sendfile'].map((m): [string, string] => [`bench/pipe-floor.ts ${m}`, `cat ${q(sparse.secret)} | ${BUN} bench/pipe-floor.ts ${m} | cat > /dev/null`]) },
  { what: `dense ${MIB} MiB, file to /dev/null`, ours: `${render(bin)} ${q(dense.secret)} > /dev/null`, base: `envsubst "$FMT" < ${q(dense.env)} > /dev/null`, label: 'GNU envsubst', kind: 'speed', goal: 5 },
  { what: `dense ${MIB} MiB, file to file`, ours: `${render(bin)} ${q(dense.secret)} ${q(OUT)}`, base: `envsubst "$FMT" < ${q(dense.env)} > ${q(OUT)} && sync ${q(OUT)}`, label: '`envsubst < IN > OUT && sync OUT`', kind: 'speed', goal: 4, cleanup: `rm -f ${q(OUT)}` },
]

// bin/secrets as `npm run build` leaves it: with a fresh bundle.
if (!freshBundle(ROOT, ['render'])) await buildCliBundle(ROOT)

try {
  // The database: the 100 bench secrets and the 10 of the small artifact.
  const ctx = await openSecrets(ENV)
  try {
    for (const name of BENCH_NAMES) await ctx.service.create({ name, value: benchValue(name)! }, { accessor: 'bench', reason: 'seed' })
    for (let i = 0; i < 10; i++) await ctx.service.create({ name: `TOKEN_${i}`, value: `value-${i}-${'x'.repeat(30)}` }, { accessor: 'bench', reason: 'seed' })
  } finally {
    await ctx.close()
  }
  const lines: string[] = []
  for (let i = 0; lines.join('\n').length < 4000; i++) {
    lines.push(i % 8 === 0 && i / 8 < 10 ? `  token_${i / 8}: "\${SECRET:TOKEN_${i / 8}}"` : `  key_${i}: "some ordinary configuration value number ${i}"`)
  }
  writeFileSync(small, `${lines.join('\n')}\n`)
  sh(`${BUN} bench/render-floor.ts setup ${q(scratch)}`)

  const now = ROWS('bin/secrets')
  const before = opt.before ? ROWS(join(opt.before, 'bin/secrets')) : undefined
  const t: Record<string, number[]> = {}
  const add = (k: string, ms: number) => (t[k] ??= []).push(ms)
  for (const [i, row] of now.entries()) {
    sh(row.ours) // warm the page cache and the bundle
    if (row.cleanup) sh(row.cleanup)
    // Each round starts one later in the rotation (base, now, before), so no
    // command always runs right after the same one (a run after the dense
    // baseline's 256 MiB write and sync was measured slower, whichever ran there).
    const runs: [string, string][] = [[`base${i}`, row.base], [`now${i}`, row.ours]]
    if (before) runs.push([`before${i}`, before[i]!.ours])
    for (const [k, [, cmd]] of (row.floors ?? []).entries()) runs.push([`floor${i}.${k}`, cmd])
    for (let r = 0; r < REPS; r++) {
      for (let j = 0; j < runs.length; j++) {
        const [key, cmd] = runs[(r + j) % runs.length]!
        add(key, sh(cmd))
        if (row.cleanup) sh(row.cleanup)
      }
    }
    console.log(`${row.what}: base ${median(t[`base${i}`]!).toFixed(0)} ms, now ${median(t[`now${i}`]!).toFixed(0)} ms${before ? `, before ${median(t[`before${i}`]!).toFixed(0)} ms` : ''}`)
  }
  const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`)
  const ratio = (row: Row, ours: number, base: number) => (row.kind === 'time' ? `${(ours / base).toFixed(2)}x its time` : `${(base / ours).toFixed(2)}x its speed`)
  const met = (row: Row, ours: number, base: number) => ((row.kind === 'time' ? ours / base <= row.goal : base / ours >= row.goal) ? 'met' : 'missed')
  const floorLines = now.flatMap((row, i) =>
    (row.floors ?? []).map(([label], k) => {
      const f = median(t[`floor${i}.${k}`]!)
      return `- ${row.what}, its floor ${label}: ${fmt(f)} (${ratio(row, f, median(t[`base${i}`]!))})`
    }),
  )
  const table = now.map((row, i) => {
    const b = median(t[`base${i}`]!)
    const n = median(t[`now${i}`]!)
    const old = before ? median(t[`before${i}`]!) : undefined
    const goal = row.kind === 'time' ? `<= ${row.goal}x its time` : `>= ${row.goal}x its speed`
    return `| ${row.what} | ${AS_FILED[i]} | ${old === undefined ? '' : `${fmt(old)} (${ratio(row, old, b)})`} | ${fmt(n)} (${ratio(row, n, b)}) | ${row.label} ${fmt(b)} | ${goal}: ${met(row, n, b)} |`
  })

  // Peak RSS, flat from the smallest to the largest corpus.
  const sizes = opt.rss!.split(',').map(Number)
  const rssRows: string[] = []
  for (const kind of ['sparse', 'dense'] as const) {
    const cells = sizes.map((mib) => {
      const c = ensureCorpus(corpora, kind, mib)
      const mibs = [0, 1, 2].map(() => rss(`${render('bin/secrets')} ${q(c.secret)} ${q(OUT)}`))
      sh(`rm -f ${q(OUT)}`)
      return Math.max(...mibs)
    })
    rssRows.push(`| ${kind}, file to file | ${cells.map((m) => `${m.toFixed(1)} MiB`).join(' | ')} |`)
  }
  const body = `Command: \`node_modules/.bin/bun bench/speed.ts --reps ${REPS} --size ${MIB}${opt.before ? ' --before DIR' : ''}\` (part of \`npm run bench\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}.
Each row: ours and its baseline alternated ${REPS} times (${opt.before ? `A B C, B C A, C A B, ..., C = ${opt['before-name']}` : 'A B, B A, ...'}) after one warm-up run, medians of wall time; the ratio is taken within the row.
"As filed" is the issue's own figure and ratio, from its day and machine, not measured by this run.
${MIB} MiB corpora (bench/corpus.ts, 100 secrets); every run of ours decrypts what it uses and writes its audit rows (SQLite, WAL, synchronous=FULL); \`secrets render IN OUT\` fsyncs OUT and its directory before returning.

| what | as filed | before | now | baseline | target |
| --- | --- | --- | --- | --- | --- |
${table.join('\n')}
${floorLines.length ? `\nIn the same rounds, the spool alone, as bench/pipe-floor.ts does it (the input copied to /dev/shm and written back; no scan, no substitution, no database, no CLI), against the same baseline; \`copy\` writes it back the way a render must, \`sendfile\` with no copy through the process, which a render cannot:\n\n${floorLines.join('\n')}\n` : ''}
Peak RSS of \`secrets render IN OUT\` (max of 3 runs, GNU time):

| corpus | ${sizes.map((s) => `${s} MiB`).join(' | ')} |
| --- | ${sizes.map(() => '---').join(' | ')} |
${rssRows.join('\n')}
`
  console.log(body)
  if (!opt['no-doc']) await writeSection('Speed (issue 19)', body)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
