/**
 * The two passes of a render over a {@link Source}: pass 1 reads everything
 * once (names, position records, the spool); pass 2 copies from the records,
 * or, when a body has more distinct names than a record can number, scans
 * and substitutes again.
 */
import { BufferedSink } from '../../render/byte-sink.ts'
import { inputChangedError } from '../../render/record.ts'
import type { RecordReplayer } from '../../render/replay.ts'
import { PlaceholderScanner, type RenderFormat, type ScanHandler } from '../../render/scanner.ts'
import { Substituter } from '../../render/substituter.ts'
import { readFull } from './fd.ts'
import { locateInSource, type Source, startOfRest } from './source.ts'
import { spoolAppend, SpoolLimitError } from './spool.ts'

/** Size of the reused read buffers (and of both buffers of the scanning fallback). */
export const BUFFER_SIZE = 1 << 20

/**
 * Pass 1: read everything once into `handler` (names, records), spool if needed.
 * @throws SpoolLimitError when a spooled input passes `spoolLimit` bytes.
 */
export function collectPass(source: Source, buf: Uint8Array, handler: ScanHandler, spoolLimit: number, format: RenderFormat = 'raw'): void {
  const scanner = new PlaceholderScanner(handler, { locate: (offset) => locateInSource(source, offset), format })
  let length = 0
  for (;;) {
    const n = readFull(source.fd, buf, null)
    if (n === 0) break
    const chunk = n === buf.length ? buf : buf.subarray(0, n)
    // Spool before scanning, so an error's position can be found in the spool.
    if (source.spoolFd >= 0) {
      if (length + n > spoolLimit) throw new SpoolLimitError(spoolLimit)
      const fd = spoolAppend(source.spoolFd, chunk, length)
      if (fd !== source.spoolFd) source.spoolFd = source.replayFd = fd
    }
    length += n
    source.length = length
    scanner.push(chunk)
  }
  scanner.end()
  if (source.replayStart < 0) source.replayStart = startOfRest(source.fd, length)
}

/**
 * Input bytes pass 2 copies between two turns of the event loop (16 MiB): a
 * turn lets a finished background write-back of OUT (destination.ts) end, so
 * the next can start; it costs microseconds.
 */
export const TURN_STEP = 16 << 20

/** Lets the event loop run once (timers, I/O callbacks, finished thread-pool work). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Pass 2 from records: read the input again into the replayer's buffer and copy. Returns bytes written. */
export async function replayPass(source: Source, replayer: RecordReplayer): Promise<number> {
  const buf = replayer.input
  let done = 0
  let nextTurn = TURN_STEP
  while (done < source.length) {
    if (done >= nextTurn) {
      nextTurn = done + TURN_STEP
      await turn()
    }
    const want = Math.min(buf.length, source.length - done)
    const n = readFull(source.replayFd, want === buf.length ? buf : buf.subarray(0, want), source.replayStart + done)
    if (n < want) throw inputChangedError()
    replayer.push(n)
    done += n
  }
  replayer.end()
  return replayer.bytesOut
}

/**
 * Pass 2 without records (the fallback when a body has more distinct names
 * than a record can number): read the input again, scan and substitute,
 * hand the output to `write`. Returns bytes written.
 *
 * The read buffer, the write buffer and copies of the values share one
 * ArrayBuffer, so every piece is copied with `copyWithin` (see BufferedSink:
 * about 3x cheaper per piece than a view and `set`, which matters when
 * placeholders are dense).
 */
export function substitutePass(source: Source, values: Map<string, Uint8Array>, write: (bytes: Uint8Array) => void, format: RenderFormat = 'raw'): number {
  let valueBytes = 0
  for (const v of values.values()) valueBytes += v.length
  const arena = new ArrayBuffer(2 * BUFFER_SIZE + valueBytes)
  const buf = new Uint8Array(arena, 0, BUFFER_SIZE)
  const out = new Uint8Array(arena, BUFFER_SIZE, BUFFER_SIZE)
  const local = new Map<string, Uint8Array>()
  let at = 2 * BUFFER_SIZE
  for (const [name, v] of values) {
    const copy = new Uint8Array(arena, at, v.length)
    copy.set(v)
    local.set(name, copy)
    at += v.length
  }
  const sink = new BufferedSink(write, out)
  const substituter = new Substituter(local, sink, { locate: (offset) => locateInSource(source, offset), format })
  try {
    let done = 0
    while (done < source.length) {
      const want = Math.min(buf.length, source.length - done)
      const n = readFull(source.replayFd, buf.subarray(0, want), source.replayStart + done)
      if (n < want) throw new Error('the input changed while it was being rendered')
      substituter.push(n === buf.length ? buf : buf.subarray(0, n))
      done += n
    }
    substituter.end()
    sink.flush()
    return sink.bytesOut
  } finally {
    // Hygiene: the arena holds secret values and rendered output; do not
    // leave them for the garbage collector to free whenever.
    new Uint8Array(arena).fill(0)
  }
}
