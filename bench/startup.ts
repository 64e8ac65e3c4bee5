/**
 * End-to-end command latency next to a bare Bun start, alternated in one run.
 *
 *   node_modules/.bin/bun bench/startup.ts [--runs 20]
 *
 * - `bun -e ''`: the floor (process start of the runtime).
 * - `secrets set NAME` with the value on stdin (key check, open SQLite,
 *   migrations check, boot key-id check, encrypt, one transaction).
 * - `secrets render` of a 4 KiB artifact with 10 placeholders (when the
 *   render command is available).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { freshBundle } from '../src/cli/bundle/launch.ts'
import { buildCliBundle } from '../scripts/build-cli.ts'
import { machine, median, timeCommand, writeSection } from './lib.ts'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } })
const RUNS = Number(values.runs)
const root = join(import.meta.dir, '..')
const bin = join(root, 'bin/secrets')
const bun = process.execPath
const dir = mkdtempSync(join(tmpdir(), 'chs-bench-startup-'))
const cpu: Record<string, number[]> = {}

/**
 * timeCommand, noting the child's CPU time (user + system) under `key` too:
 * wall times on a shared machine move with its load, CPU times much less.
 */
async function timed(key: string, cmd: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<number> {
  const t0 = performance.now()
  const proc = Bun.spawn(cmd, {
    env: options.env ?? (process.env as Record<string, string>),
    stdin: options.stdin === undefined ? 'ignore' : new Blob([options.stdin]),
    stdout: 'ignore',
    stderr: 'pipe',
  })
  const code = await proc.exited
  const ms = performance.now() - t0
  if (code !== 0) throw new Error(`${cmd.join(' ')} exited ${code}: ${await new Response(proc.stderr).text()}`)
  const usage = proc.resourceUsage()
  if (usage) (cpu[key] ??= []).push((Number(usage.cpuTime.user) + Number(usage.cpuTime.system)) / 1000)
  return ms
}
// bin/secrets as `npm run build` leaves it: with a fresh bundle (src/cli/bundle/launch.ts).
if (!freshBundle(root, ['render'])) await buildCliBundle(root)
const env = {
  ...(process.env as Record<string, string>),
  CLAUDE_HOOKS_SECRET_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
  DATABASE_URL: `file:${join(dir, 's.db')}`,
}

try {
  // An artifact of about 4 KiB with 10 placeholders over 10 secrets.
  for (let i = 0; i < 10; i++) await timeCommand([bin, 'set', `TOKEN_${i}`], { env, stdin: `value-${i}-${'x'.repeat(30)}` })
  const lines: string[] = []
  for (let i = 0; lines.join('\n').length < 4000; i++) {
    lines.push(i % 8 === 0 && i / 8 < 10 ? `  token_${i / 8}: "\${SECRET:TOKEN_${i / 8}}"` : `  key_${i}: "some ordinary configuration value number ${i}"`)
  }
  const artifact = join(dir, 'artifact.yaml')
  writeFileSync(artifact, `${lines.join('\n')}\n`)
  const hasRender = (await new Response(Bun.spawn([bin, 'render', '--help'], { stdout: 'pipe' }).stdout).text()).includes('--check')

  const empty = join(dir, 'empty.ts')
  writeFileSync(empty, '\n')
  await timeCommand([bun, join(root, 'bench/render-floor.ts'), 'setup', dir])
  const samples: Record<string, number[]> = { bare: [], file: [], keygen: [], set: [], render: [], floor: [] }
  const phases: Array<Record<string, number>> = []
  for (let r = 0; r < RUNS; r++) {
    samples.bare!.push(await timed('bare', [bun, '-e', '']))
    samples.file!.push(await timed('file', [bun, empty]))
    samples.keygen!.push(await timed('keygen', [bin, 'keygen']))
    const p = Bun.spawn([bun, join(root, 'bench/startup-phases.ts')], { env, stdout: 'pipe' })
    phases.push(JSON.parse(await new Response(p.stdout).text()))
    samples.set!.push(await timed('set', [bin, 'set', 'BENCH_VALUE'], { env, stdin: 'bench-value' }))
    samples.floor!.push(await timed('floor', [bun, join(root, 'bench/render-floor.ts'), dir, artifact, join(dir, 'floor-out.yaml')]))
    if (hasRender) {
      samples.render!.push(
        await timed('render', [bin, 'render', '--accessor', 'bench', '--reason', 'startup', artifact, join(dir, 'out.yaml')], { env }),
      )
    }
  }
  const bare = median(samples.bare!)
  const rows = [
    ['`bun -e \'\'` (floor named by the issue; Bun skips most start-up for an empty script)', 'bare'],
    ['`bun empty.ts` (Bun starting a file)', 'file'],
    ['`secrets keygen` (no store)', 'keygen'],
    ['`secrets set NAME` (value on stdin)', 'set'],
    ['bench/render-floor.ts: the same render without the CLI (issue 19\'s floor)', 'floor'],
    ...(hasRender ? [['`secrets render` 4 KiB, 10 placeholders, to a file', 'render'] as [string, string]] : []),
  ] as Array<[string, string]>
  const cpuOf = (key: string) => (cpu[key]?.length ? `${median(cpu[key]!).toFixed(1)} ms` : '?')
  const body = `Command: \`node_modules/.bin/bun bench/startup.ts --runs ${RUNS}\` (part of \`npm run bench\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}.
Each command run ${RUNS} times, alternated; medians of wall time and of the CPU time (user + system) each process used, through \`bin/secrets\` (the \`npx secrets\` entry without npx's own start-up).

| command | median | x bare Bun | CPU (user + system) |
| --- | --- | --- | --- |
${rows.map(([label, key]) => `| ${label} | ${median(samples[key]!).toFixed(1)} ms | ${(median(samples[key]!) / bare).toFixed(2)}x | ${cpuOf(key)} |`).join('\n')}

Where a render's fixed cost goes (\`bench/startup-phases.ts\` in a fresh process, medians of ${RUNS}):

| phase | median |
| --- | --- |
${Object.keys(phases[0] ?? {})
  .map((k) => `| ${k} | ${median(phases.map((p) => p[k]!)).toFixed(1)} ms |`)
  .join('\n')}

\`bin/secrets\` runs the bytecode bundle (dist/bun, scripts/build-cli.ts) while it is fresh; the bench builds it
when it is not. The phases above are measured from the sources (module loading as the sources pay it).
Issue 19's target, the small render at most 2x bench/render-floor.ts: ${(median(samples.render!) / median(samples.floor!)).toFixed(2)}x here
in wall time, ${(median(cpu.render ?? [NaN]) / median(cpu.floor ?? [NaN])).toFixed(2)}x in CPU time (see "Speed (issue 19)" for where the rest goes).`
  console.log(body)
  await writeSection('Command start-up', body)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
