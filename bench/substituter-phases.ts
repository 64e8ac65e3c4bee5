/**
 * Where the renderer's time goes, measured in-process on one corpus: the
 * same code renderFile runs (1 MiB reads, scanner, names pass, arena
 * substitution), one phase at a time, so each phase's cost is the
 * difference to the one before. Also the cost of spooling the corpus to an
 * unlinked temporary file, which the pipe form pays on top.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BufferedSink } from '../src/render/byte-sink.ts'
import { NameCollector } from '../src/render/names.ts'
import { PlaceholderScanner } from '../src/render/scanner.ts'
import { Substituter } from '../src/render/substituter.ts'
import { BENCH_NAMES, benchValue } from './corpus.ts'

const CHUNK = 1 << 20
const noLocate = () => ({ line: 0, column: 0 })

/** Median milliseconds of each phase, and the corpus' counts. */
export interface Phases {
  placeholders: number
  dollars: number
  readMs: number
  scanMs: number
  namesMs: number
  substituteMs: number
  spoolWriteMs: number
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]!
}

function eachChunk(path: string, buf: Uint8Array, f: (chunk: Uint8Array) => void): void {
  const fd = openSync(path, 'r')
  try {
    for (let pos = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos)
      if (n === 0) break
      pos += n
      f(n === buf.length ? buf : buf.subarray(0, n))
    }
  } finally {
    closeSync(fd)
  }
}

function timed(f: () => void): number {
  const t0 = performance.now()
  f()
  return performance.now() - t0
}

/** Measures every phase `reps` times on `path` and returns the medians. */
export function measurePhases(path: string, reps: number): Phases {
  const enc = new TextEncoder()
  const raw = BENCH_NAMES.map((n) => [n, enc.encode(benchValue(n)!)] as const)
  const arena = new ArrayBuffer(2 * CHUNK + raw.reduce((a, [, v]) => a + v.length, 0))
  const input = new Uint8Array(arena, 0, CHUNK)
  const out = new Uint8Array(arena, CHUNK, CHUNK)
  const values = new Map<string, Uint8Array>()
  let at = 2 * CHUNK
  for (const [name, v] of raw) {
    const view = new Uint8Array(arena, at, v.length)
    view.set(v)
    values.set(name, view)
    at += v.length
  }
  let placeholders = 0
  let dollars = 0
  eachChunk(path, input, (c) => {
    for (let p = c.indexOf(0x24); p >= 0; p = c.indexOf(0x24, p + 1)) dollars++
  })
  const counter = new PlaceholderScanner({ literal() {}, placeholder: () => void placeholders++ }, { locate: noLocate })
  eachChunk(path, input, (c) => counter.push(c))
  counter.end()

  const t = { read: [] as number[], scan: [] as number[], names: [] as number[], sub: [] as number[], spool: [] as number[] }
  for (let r = 0; r < reps; r++) {
    t.read.push(timed(() => eachChunk(path, input, () => {})))
    t.scan.push(
      timed(() => {
        const s = new PlaceholderScanner({ literal() {}, placeholder() {} }, { locate: noLocate })
        eachChunk(path, input, (c) => s.push(c))
        s.end()
      }),
    )
    t.names.push(
      timed(() => {
        const s = new PlaceholderScanner(new NameCollector(), { locate: noLocate })
        eachChunk(path, input, (c) => s.push(c))
        s.end()
      }),
    )
    t.sub.push(
      timed(() => {
        const sink = new BufferedSink(() => {}, out)
        const s = new Substituter(values, sink, { locate: noLocate })
        eachChunk(path, input, (c) => s.push(c))
        s.end()
        sink.flush()
      }),
    )
    const dir = mkdtempSync(join(tmpdir(), 'bench-spool-'))
    const fd = openSync(join(dir, 'spool'), 'wx+', 0o600)
    unlinkSync(join(dir, 'spool'))
    rmdirSync(dir)
    t.spool.push(timed(() => eachChunk(path, input, (c) => writeSync(fd, c))) - t.read.at(-1)!)
    closeSync(fd)
  }
  return {
    placeholders,
    dollars,
    readMs: median(t.read),
    scanMs: median(t.scan),
    namesMs: median(t.names),
    substituteMs: median(t.sub),
    spoolWriteMs: median(t.spool),
  }
}
