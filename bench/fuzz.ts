/**
 * Time-boxed fuzzing of the renderer against the reference implementation
 * (test/render/reference.ts), part of `npm run bench`:
 *
 *   node_modules/.bin/bun bench/fuzz.ts [--seconds 60] [--seed N]
 *
 * Inputs: random bytes (biased towards `$`, `{`, `}`), and random soups of
 * placeholder tokens (valid, escaped, malformed and unterminated
 * placeholders, names known and missing, `${{ x }}`, `$HOME`, multibyte
 * UTF-8, invalid bytes, NUL), some padded so they straddle renderFile's
 * first read of a file (passes.ts CHUNK_SIZE). Each input goes through
 *
 * - the streaming Substituter (src/render/substituter.ts) over random chunks
 *   (1-byte chunks and cuts inside placeholders included), each chunk
 *   overwritten after the push;
 * - renderStream (src/render/render.ts) over another random chunking;
 * - renderFile (src/cli/render/render-file.ts), the two-pass CLI path, from a
 *   temporary file to a temporary file, with a random record-buffer size so
 *   records spill to the spool;
 *
 * and must give the reference's output or the same error (line, column,
 * detail; or the same missing names): single-pass paths report the first
 * problem in input order, two-pass paths a malformed placeholder anywhere
 * first, then every missing name. A failed renderFile must leave no output
 * file. A crash is any other exception. Figures go to docs/benchmarks.md,
 * section "Fuzzing"; the process exits 1 on any crash or difference, and
 * writes the first offending inputs to bench/out/fuzz-fail-*.bin.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { CHUNK_SIZE } from '../src/cli/render/passes.ts'
import { renderFile } from '../src/cli/render/render-file.ts'
import { MissingSecretError } from '../src/errors.ts'
import { renderStream } from '../src/render/render.ts'
import { cut, join as joinBytes, type Outcome, outcomeOf, readStream, streamReference, substituteChunks, twoPassReference } from '../test/render/helpers.ts'
import { machine, writeSection } from './lib.ts'

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, seed: { type: 'string' } } })
const SECONDS = Number(args.seconds)
const SEED = args.seed !== undefined ? Number(args.seed) : Math.floor(Math.random() * 2 ** 31)
if (!(SECONDS > 0) || !Number.isInteger(SEED)) {
  console.error('usage: node_modules/.bin/bun bench/fuzz.ts [--seconds N] [--seed N]')
  process.exit(2)
}

// --- a small seeded PRNG (mulberry32), so a failure can be replayed with --seed ---
let state = SEED >>> 0
function rand(): number {
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const int = (n: number) => Math.floor(rand() * n)
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!

const enc = new TextEncoder()
const LONG = 'L'.repeat(128)
const KNOWN: Record<string, string> = { A: 'va', FOO: '${SECRET:A}', FOO_1: 'é', B9_: '$', [LONG]: 'long', EMPTYISH: ' ' }
const VALUES = new Map(Object.entries(KNOWN).map(([k, v]) => [k, enc.encode(v)]))
const VALID_NAMES = [...Object.keys(KNOWN), 'MISSING', 'Z', 'NOPE_2']
const INVALID_NAMES = ['', 'a', 'foo', '1A', '_A', 'Ab', 'A-B', 'A B', 'A\n', 'É', `${LONG}L`, 'A:B', 'A\u0000', 'A\u200B']
const LITERALS = ['$', '$$', '{', '}', '${', '${SECRET', '${SECRET:', '$${SECRET:', 'SECRET:', '${{ x }}', '$HOME', '${HOME}', '\n', '\r\n', 'é', '漢', '🙂', ' ', 'x', 'abc']

/** One token of a soup. */
function token(): Uint8Array {
  const r = int(31)
  if (r < 6) return enc.encode(`\${SECRET:${pick(VALID_NAMES)}}`)
  if (r < 9) return enc.encode(`$\${SECRET:${pick(VALID_NAMES)}}`)
  if (r < 10) return enc.encode(`\${SECRET:${pick(INVALID_NAMES)}}`)
  if (r < 11) return enc.encode(`\${SECRET:${pick([...VALID_NAMES, ...INVALID_NAMES])}`)
  if (r < 21) return enc.encode(pick(LITERALS))
  if (r < 25) return enc.encode(pick([...VALID_NAMES, ...INVALID_NAMES]))
  if (r < 27) return new Uint8Array([pick([0xff, 0xfe, 0xc3, 0x80, 0x00, 0xe2, 0x24, 0x7b, 0x7d])])
  return randomBytes(int(9))
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    // A third of the bytes are the grammar's own: `$`, `{`, `}`.
    out[i] = rand() < 0.33 ? pick([0x24, 0x7b, 0x7d]) : int(256)
  }
  return out
}

/** The kinds of input, and how often each comes. */
type Kind = 'bytes' | 'soup' | 'long soup' | 'straddling a read'
function generate(): { kind: Kind; input: Uint8Array } {
  const r = rand()
  if (r < 0.25) return { kind: 'bytes', input: randomBytes(int(400)) }
  if (r < 0.85) return { kind: 'soup', input: joinBytes(Array.from({ length: int(30) }, token)) }
  if (r < 0.98) return { kind: 'long soup', input: joinBytes(Array.from({ length: 40 + int(300) }, token)) }
  // A soup around the end of renderFile's first read of a file: placeholders cut by the read.
  const pad = new Uint8Array(CHUNK_SIZE - int(64)).fill(0x2e)
  return { kind: 'straddling a read', input: joinBytes([pad, ...Array.from({ length: 10 + int(30) }, token)]) }
}

/** Random cut offsets: none, a few, or every byte. */
function randomChunks(b: Uint8Array): Uint8Array[] {
  const r = rand()
  if (r < 0.15 && b.length < 5000) return cut(b, Array.from({ length: Math.max(0, b.length - 1) }, (_, i) => i + 1))
  if (r < 0.25) return [b.slice()]
  const offsets = Array.from({ length: 1 + int(12) }, () => int(b.length + 1)).sort((x, y) => x - y)
  return cut(b, offsets)
}



function same(a: Outcome, b: Outcome): boolean {
  if ('ok' in a && 'ok' in b) return Buffer.compare(Buffer.from(a.ok), Buffer.from(b.ok)) === 0
  return JSON.stringify(a) === JSON.stringify(b)
}

function describeOutcome(o: Outcome): string {
  if ('ok' in o) return `ok (${o.ok.length} bytes)`
  if ('malformed' in o) return `malformed at ${o.malformed.line}:${o.malformed.column} (${o.malformed.message})`
  return `missing ${o.missing.join(', ')}`
}

// --- the three paths ---
async function viaRenderStream(chunks: Uint8Array[]): Promise<Outcome> {
  const stream = renderStream(
    new ReadableStream<Uint8Array>({
      start(c) {
        for (const chunk of chunks) c.enqueue(chunk.slice())
        c.close()
      },
    }),
    async (name) => {
      const v = VALUES.get(name)
      if (v === undefined) throw new MissingSecretError(name)
      return v
    },
  )
  try {
    return { ok: await readStream(stream) }
  } catch (err) {
    return outcomeOf(err)
  }
}

const work = mkdtempSync(join(tmpdir(), 'chs-fuzz-'))
const inPath = join(work, 'in')
const outPath = join(work, 'out')

async function viaRenderFile(b: Uint8Array): Promise<Outcome | 'left output'> {
  writeFileSync(inPath, b)
  rmSync(outPath, { force: true })
  try {
    await renderFile({
      input: inPath,
      output: outPath,
      resolveAll: async (names) => {
        const missing = names.filter((n) => !VALUES.has(n))
        if (missing.length > 0) throw new MissingSecretError(missing)
        return new Map(names.map((n) => [n, VALUES.get(n)!]))
      },
      tuning: { recordCapacity: pick([1, 2, 3, 7, 64, 131072]) },
    })
  } catch (err) {
    const outcome = outcomeOf(err)
    return existsSync(outPath) ? 'left output' : outcome
  }
  return { ok: new Uint8Array(await Bun.file(outPath).arrayBuffer()) }
}

// --- the loop ---
type Path = 'Substituter' | 'renderStream' | 'renderFile'
const PATHS: Path[] = ['Substituter', 'renderStream', 'renderFile']
const stats = Object.fromEntries(PATHS.map((p) => [p, { cases: 0, crashes: 0, differences: 0, ok: 0, malformed: 0, missing: 0 }])) as Record<
  Path,
  { cases: number; crashes: number; differences: number; ok: number; malformed: number; missing: number }
>
const kinds: Record<string, number> = {}
let bytesIn = 0
let inputs = 0
const failures: Array<{ path: Path; kind: Kind; input: Uint8Array; detail: string }> = []

function record(path: Path, kind: Kind, input: Uint8Array, got: Outcome | 'left output' | { crash: unknown }, want: Outcome): void {
  const s = stats[path]
  s.cases++
  if (typeof got === 'object' && 'crash' in got) {
    s.crashes++
    failures.push({ path, kind, input, detail: `crash: ${String((got.crash as Error)?.stack ?? got.crash)}` })
    return
  }
  if (got === 'left output' || !same(got, want)) {
    s.differences++
    failures.push({ path, kind, input, detail: `got ${got === 'left output' ? 'an output file after a failure' : describeOutcome(got)}, reference ${describeOutcome(want)}` })
    return
  }
  if ('ok' in got) s.ok++
  else if ('malformed' in got) s.malformed++
  else s.missing++
}

async function guarded<T>(run: () => T | Promise<T>): Promise<T | { crash: unknown }> {
  try {
    return await run()
  } catch (crash) {
    return { crash }
  }
}

console.log(`fuzzing for ${SECONDS} s, seed ${SEED}`)
const deadline = performance.now() + SECONDS * 1000
const started = performance.now()
while (performance.now() < deadline && failures.length < 20) {
  const { kind, input } = generate()
  inputs++
  bytesIn += input.length
  kinds[kind] = (kinds[kind] ?? 0) + 1
  const single = streamReference(input, VALUES)
  const twoPass = twoPassReference(input, VALUES)
  record('Substituter', kind, input, await guarded(() => substituteChunks(randomChunks(input), VALUES)), single)
  record('renderStream', kind, input, await guarded(() => viaRenderStream(randomChunks(input))), single)
  record('renderFile', kind, input, await guarded(() => viaRenderFile(input)), twoPass)
}
const elapsed = (performance.now() - started) / 1000
rmSync(work, { recursive: true, force: true })

const total = PATHS.reduce((n, p) => n + stats[p].cases, 0)
const crashes = PATHS.reduce((n, p) => n + stats[p].crashes, 0)
const differences = PATHS.reduce((n, p) => n + stats[p].differences, 0)
console.log(`${inputs} inputs, ${total} cases in ${elapsed.toFixed(1)} s: ${crashes} crashes, ${differences} differences`)
for (const p of PATHS) console.log(`  ${p}: ${JSON.stringify(stats[p])}`)

if (failures.length > 0) {
  const dir = join(import.meta.dir, 'out')
  mkdirSync(dir, { recursive: true })
  failures.slice(0, 5).forEach((f, i) => {
    const file = join(dir, `fuzz-fail-${i}.bin`)
    writeFileSync(file, f.input)
    console.error(`FAIL ${f.path} (${f.kind}, ${f.input.length} bytes, ${file}): ${f.detail}`)
  })
}

const date = new Date().toISOString().slice(0, 10)
const rows = PATHS.map((p) => {
  const s = stats[p]
  return `| ${p === 'renderFile' ? '`renderFile` (two passes, src/cli/render/render-file.ts)' : p === 'renderStream' ? '`renderStream` (single pass)' : '`Substituter` (single pass, random chunks)'} | ${s.cases} | ${s.ok} | ${s.malformed} | ${s.missing} | ${s.crashes} | ${s.differences} |`
})
await writeSection(
  'Fuzzing',
  `Command: \`node_modules/.bin/bun bench/fuzz.ts --seconds ${SECONDS}\` (part of \`npm run bench\`; \`--seed ${SEED}\` replays this run), ${date}, ${machine()}.
Random inputs for ${elapsed.toFixed(0)} s, each through three paths and compared with the reference implementation (test/render/reference.ts): same output, or the same error with the same line, column and detail, or the same missing names; a failed \`renderFile\` must leave no output file.
Inputs: ${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')} (${(bytesIn / 2 ** 20).toFixed(1)} MiB in all). Random bytes are biased towards \`$\`, \`{\` and \`}\`; soups mix valid, escaped, malformed and unterminated placeholders, known and missing names, \`\${{ x }}\`, \`$HOME\`, multibyte UTF-8, invalid bytes and NUL; "straddling a read" puts a soup across the end of \`renderFile\`'s first read of a file (256 KiB). The single-pass paths get a fresh random chunking per input (1-byte chunks and cuts inside placeholders included); \`renderFile\` a random record-buffer size (from 1 record, so records spill to the spool file).

| path | cases | rendered | malformed | missing | crashes | differences |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
| total | ${total} | | | | ${crashes} | ${differences} |

Target: 0 crashes, 0 differences. Measured: ${crashes} crashes, ${differences} differences${crashes + differences === 0 ? ' (met)' : ' (NOT met: see bench/out/fuzz-fail-*.bin)'}. The unit suite runs the same comparison with fast-check on a fixed budget (test/render/property.test.ts).`,
)
process.exit(crashes + differences > 0 ? 1 : 0)
