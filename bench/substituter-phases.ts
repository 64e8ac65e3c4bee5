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
import { PositionRecorder } from '../src/render/record.ts'
import { RecordReplayer } from '../src/render/replay.ts'
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
  /** Pass 1 with position records kept in memory (what renderFile runs, minus the record spool). */
  recordMs: number
  /** Pass 2 from records: read and copy, no scan. */
  replayMs: number
  /** Records written to an unlinked temp file and read back, as renderFile does past 1 MiB of records. */
  recordSpoolMs: number
  /** Bytes of records. */
  recordBytes: number
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

  // Records of the whole corpus, kept in memory here (renderFile spools them).
  const batches: Int32Array[] = []
  const recorder0 = new PositionRecorder({ onFull: (r) => batches.push(r.slice()) })
  const s0 = new PlaceholderScanner(recorder0, { locate: noLocate })
  eachChunk(path, input, (c) => s0.push(c))
  s0.end()
  batches.push(recorder0.pending().slice())
  const recordBytes = batches.reduce((a, b) => a + b.byteLength, 0)
  const names = recorder0.names
  const t = {
    read: [] as number[],
    scan: [] as number[],
    names: [] as number[],
    sub: [] as number[],
    spool: [] as number[],
    record: [] as number[],
    replay: [] as number[],
    recordSpool: [] as number[],
  }
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
    t.record.push(
      timed(() => {
        const rec = new PositionRecorder({ onFull() {} })
        const s = new PlaceholderScanner(rec, { locate: noLocate })
        eachChunk(path, input, (c) => s.push(c))
        s.end()
      }),
    )
    {
      const copies = batches.map((b) => b.slice())
      let k = 0
      const rep = new RecordReplayer(names, values, () => copies[k++], () => {})
      t.replay.push(
        timed(() => {
          eachChunk(path, rep.input, (c) => rep.push(c.length))
          rep.end()
        }),
      )
    }
    {
      const dir = mkdtempSync(join(tmpdir(), 'bench-spool-'))
      const fd = openSync(join(dir, 'records'), 'wx+', 0o600)
      unlinkSync(join(dir, 'records'))
      rmdirSync(dir)
      const back = new Int32Array(1 << 18)
      t.recordSpool.push(
        timed(() => {
          for (const b of batches) writeSync(fd, b)
          for (let pos = 0; ; ) {
            const n = readSync(fd, back, 0, back.byteLength, pos)
            if (n === 0) break
            pos += n
          }
        }),
      )
      closeSync(fd)
    }
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
    recordMs: median(t.record),
    replayMs: median(t.replay),
    recordSpoolMs: median(t.recordSpool),
    recordBytes,
  }
}

if (import.meta.main) {
  const path = process.argv[2]
  if (!path) throw new Error('usage: bun bench/substituter-phases.ts CORPUS [REPS]')
  const p = measurePhases(path, Number(process.argv[3] ?? 5))
  const per = (ms: number) => `${((ms * 1e6) / p.placeholders).toFixed(1)} ns/placeholder`
  console.log(JSON.stringify(p))
  for (const [k, v] of [['scan', p.scanMs], ['names', p.namesMs], ['substitute', p.substituteMs], ['record', p.recordMs], ['replay', p.replayMs]] as const)
    console.log(`${k}: ${(v - p.readMs).toFixed(1)} ms over read, ${per(v - p.readMs)}`)
  console.log(`record spool write+read: ${p.recordSpoolMs.toFixed(1)} ms (${(p.recordBytes / 2 ** 20).toFixed(1)} MiB), ${per(p.recordSpoolMs)}`)
}
