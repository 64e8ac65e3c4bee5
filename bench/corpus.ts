/**
 * Benchmark corpora: YAML/JSON-ish configuration text with placeholders,
 * written twice from the same random choices, once with `${SECRET:NAME}` for
 * our renderer and once with `${NAME}` for GNU envsubst, so both produce the
 * same output (the bench checks that they do).
 *
 * - sparse: about one placeholder per 4 KiB, over 100 names;
 * - dense: about one placeholder per 64 bytes.
 *
 * The text also holds `$HOME`, `$$`, `${{ github.sha }}` and `${PATH}`
 * occasionally, as real configs do: both tools must pass them through, and
 * they make the scanner stop on `$` bytes that are not placeholders. No `$`
 * ever directly precedes a placeholder (that would be our escape syntax,
 * which envsubst lacks).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/** Corpus kinds. */
export type Kind = 'sparse' | 'dense'

/** Bump when the generator changes, so cached corpora are rebuilt. */
const VERSION = 1

const PREFIXES = [
  'GITHUB_TOKEN', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'DATABASE_PASSWORD', 'SLACK_WEBHOOK_URL',
  'AWS_SECRET_ACCESS_KEY', 'STRIPE_SECRET_KEY', 'SENTRY_DSN', 'NPM_TOKEN', 'DOCKER_PASSWORD',
]

/** The 100 secret names the corpora use. */
export const BENCH_NAMES: readonly string[] = Array.from(
  { length: 100 },
  (_, i) => `${PREFIXES[i % PREFIXES.length]}_${String(Math.floor(i / PREFIXES.length)).padStart(2, '0')}`,
)

const VALUE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'

/** Small deterministic PRNG (mulberry32): the corpora are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const values = new Map<string, string>()
{
  const rand = prng(42)
  for (const name of BENCH_NAMES) {
    const len = 20 + Math.floor(rand() * 41)
    let v = ''
    for (let i = 0; i < len; i++) v += VALUE_ALPHABET[Math.floor(rand() * VALUE_ALPHABET.length)]
    values.set(name, v)
  }
}

/** The value of a bench name (plain ASCII, 20-60 characters), or undefined for any other name. */
export function benchValue(name: string): string | undefined {
  return values.get(name)
}

/** `'$A $B …'`: envsubst's SHELL-FORMAT argument, so it replaces only these variables. */
export function envsubstFormat(): string {
  return BENCH_NAMES.map((n) => `$${n}`).join(' ')
}

/** The environment envsubst needs: every bench name exported with its value. */
export function envsubstEnv(): Record<string, string> {
  return Object.fromEntries(BENCH_NAMES.map((n) => [n, values.get(n)!]))
}

const WORDS = ['service', 'image', 'replicas', 'timeout', 'endpoint', 'region', 'enabled', 'retries', 'labels', 'volume', 'port', 'command', 'health', 'config', 'url', 'path']
const OTHER_DOLLARS = ['$HOME/.cache', '${{ github.sha }}', 'price: 5$$', '${PATH}', '$1', 'echo $$ > pid']

/** Literal lines with no placeholder, as encoded bytes, drawn at random. */
function literalPool(rand: () => number): Uint8Array[] {
  const enc = new TextEncoder()
  const pool: Uint8Array[] = []
  for (let i = 0; i < 512; i++) {
    const indent = ' '.repeat(2 * Math.floor(rand() * 4))
    const w = () => WORDS[Math.floor(rand() * WORDS.length)]!
    let line: string
    const r = rand()
    if (r < 0.45) line = `${indent}${w()}_${i}: ${w()}-${Math.floor(rand() * 1e6)} ${w()} ${w()}`
    else if (r < 0.8) line = `${indent}"${w()}": "${w()}/${w()}:${Math.floor(rand() * 100)}",`
    else if (r < 0.95) line = `${indent}- ${w()}: ${w()} ${w()} ${w()} ${w()}`
    else line = `${indent}run: ${OTHER_DOLLARS[i % OTHER_DOLLARS.length]} ${w()}`
    pool.push(enc.encode(line + '\n'))
  }
  return pool
}

/**
 * A JSON corpus of exactly `mib` MiB for the `--format json` rows: one array
 * of objects whose string values hold the placeholders (every placeholder
 * inside a JSON string, as `--format json` wants), with escaped quotes and
 * backslashes in the text around them. Sparse: about one placeholder per
 * 4 KiB; dense: about one per 64 bytes. Bench values are JSON-safe, so the
 * output is the same in both formats (the bench checks that it is).
 */
export function ensureJsonCorpus(dir: string, kind: Kind, mib: number): string {
  const path = join(dir, `${kind}-${mib}MiB-v${VERSION}.json`)
  const size = mib * 1024 * 1024
  if (existsSync(path) && statSync(path).size === size) return path
  mkdirSync(dir, { recursive: true })
  const rand = prng(kind === 'sparse' ? 3 : 4)
  const w = () => WORDS[Math.floor(rand() * WORDS.length)]!
  const name = () => BENCH_NAMES[Math.floor(rand() * BENCH_NAMES.length)]!
  const enc = new TextEncoder()
  const parts: string[] = ['[\n']
  let length = 2
  const fd = openSync(`${path}.part`, 'w')
  const flush = () => {
    writeSync(fd, enc.encode(parts.join('')))
    parts.length = 0
  }
  let sinceFlush = 0
  // Stop short of `size` by more than one record, then pad exactly.
  while (length < size - 16384) {
    let record: string
    if (kind === 'sparse') {
      const fields: string[] = []
      let n = 0
      while (n < 4096) {
        const f = `    "${w()}_${Math.floor(rand() * 1e4)}": "${w()}/${w()}:${Math.floor(rand() * 100)} \\"${w()}\\" \\\\ ${w()}"`
        fields.push(f)
        n += f.length + 2
      }
      fields.push(`    "token": "${'${SECRET:'}${name()}}"`)
      record = `  {\n${fields.join(',\n')}\n  },\n`
    } else {
      const frag = `${w()} ${w()}`.slice(0, 8 + Math.floor(rand() * 24))
      record = `  {"${w()}": "${frag} \\" ${'${SECRET:'}${name()}}", "${w()}": ${Math.floor(rand() * 1e3)}},\n`
    }
    parts.push(record)
    length += record.length
    sinceFlush += record.length
    if (sinceFlush >= 4 << 20) {
      flush()
      sinceFlush = 0
    }
  }
  // Close the array with a last element padded to the exact size (a string of spaces).
  const tail = `  "${' '.repeat(Math.max(0, size - length - 7))}"\n]\n`
  parts.push(tail)
  flush()
  closeSync(fd)
  renameSync(`${path}.part`, path)
  if (statSync(path).size !== size) throw new Error(`JSON corpus ${path}: size ${statSync(path).size}, wanted ${size}`)
  return path
}

/** Paths of a corpus: the `${SECRET:…}` text and the `${…}` text for envsubst. */
export function corpusPaths(dir: string, kind: Kind, mib: number): { secret: string; env: string } {
  const base = join(dir, `${kind}-${mib}MiB-v${VERSION}`)
  return { secret: `${base}.secret.txt`, env: `${base}.env.txt` }
}

/**
 * Writes the two files of a corpus of exactly `mib` MiB (the `${SECRET:…}`
 * one; the envsubst one is shorter by the prefix bytes) unless they exist,
 * and fsyncs them.
 */
export function ensureCorpus(dir: string, kind: Kind, mib: number): { secret: string; env: string } {
  const paths = corpusPaths(dir, kind, mib)
  const size = mib * 1024 * 1024
  if (existsSync(paths.secret) && existsSync(paths.env) && statSync(paths.secret).size === size) return paths
  mkdirSync(dir, { recursive: true })
  const rand = prng(kind === 'sparse' ? 1 : 2)
  const pool = literalPool(rand)
  const enc = new TextEncoder()
  const secretRefs = BENCH_NAMES.map((n) => enc.encode(`\${SECRET:${n}}`))
  const envRefs = BENCH_NAMES.map((n) => enc.encode(`\${${n}}`))
  const keyOpen = enc.encode('  token: "')
  const keyClose = enc.encode('"\n')
  const space = enc.encode(' ')

  const CHUNK = 4 << 20
  // Room for one more construct after CHUNK (a sparse one is under 8 KiB) and the final pad.
  const a = new Uint8Array(CHUNK + (64 << 10))
  const b = new Uint8Array(CHUNK + (64 << 10))
  let ua = 0
  let ub = 0
  const tmpA = `${paths.secret}.part`
  const tmpB = `${paths.env}.part`
  const fa = openSync(tmpA, 'w')
  const fb = openSync(tmpB, 'w')
  let written = 0
  const put = (bytes: Uint8Array, envBytes: Uint8Array = bytes) => {
    a.set(bytes, ua)
    ua += bytes.length
    b.set(envBytes, ub)
    ub += envBytes.length
  }
  const gapTarget = kind === 'sparse' ? 4096 : 64
  // Stop short of `size` by more than one construct, then pad exactly.
  while (written + ua < size - 16384) {
    // Literal text up to the next placeholder: a random gap around the target.
    const gap = Math.floor(gapTarget * (0.5 + rand()))
    let filled = 0
    if (kind === 'sparse') {
      while (filled < gap) {
        const line = pool[Math.floor(rand() * pool.length)]!
        put(line)
        filled += line.length
      }
      const k = Math.floor(rand() * BENCH_NAMES.length)
      put(keyOpen)
      put(secretRefs[k]!, envRefs[k]!)
      put(keyClose)
    } else {
      // Dense: a fragment of a line, then a placeholder, then a space; the
      // fragment length makes the average distance between placeholders
      // about 64 bytes of input.
      const line = pool[Math.floor(rand() * pool.length)]!
      const k = Math.floor(rand() * BENCH_NAMES.length)
      const frag = Math.max(1, Math.min(line.length, gap - secretRefs[k]!.length))
      put(line.subarray(0, frag))
      put(space)
      put(secretRefs[k]!, envRefs[k]!)
      put(space)
    }
    if (ua >= CHUNK) {
      // Keep the two files' cuts aligned to whole constructs: flush both.
      writeSync(fa, a, 0, ua)
      writeSync(fb, b, 0, ub)
      written += ua
      ua = 0
      ub = 0
    }
  }
  // Pad both files with a comment line so the secret file is exactly `size` bytes.
  const rest = size - written - ua
  const pad = new Uint8Array(rest).fill(0x23)
  for (let i = 79; i < rest; i += 80) pad[i] = 0x0a
  if (rest > 0) pad[rest - 1] = 0x0a
  put(pad)
  writeSync(fa, a, 0, ua)
  writeSync(fb, b, 0, ub)
  // On the disk before any row is timed: the kernel writing back a new corpus (up to a few GiB) behind the first rows
  // can slow a render that fsyncs its OUT more than a baseline that spends seconds of CPU first (a 312 MiB `dd` with
  // fdatasync took 0.82 s right after, 0.26 s later; the fourteenth round in docs/benchmarks.md).
  fsyncSync(fa)
  fsyncSync(fb)
  closeSync(fa)
  closeSync(fb)
  renameSync(tmpA, paths.secret)
  renameSync(tmpB, paths.env)
  return paths
}
