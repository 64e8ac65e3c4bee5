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
import { write } from 'node:fs'
import { readFull, writeAllAt } from './fd.ts'
import { locateInSource, type Source, startOfRest } from './source.ts'
import { WIDE_PIPE, widenPipe } from './pipe-size.ts'
import { movable, moveSpool, SpoolLimitError } from './spool.ts'

/**
 * Bytes of input read at once, in both passes (and the size of both buffers
 * of the scanning fallback). A chunk this size stays in the core's L2 cache
 * between the read that copies it there and the scan or copy that reads it
 * (`cat IN | dd bs=N of=/dev/shm/x`: 0.17-0.19 s at 256 KiB, 0.22-0.23 s at
 * 1 MiB). Read synchronously into the core's memory 256 KiB at a time,
 * against 1 MiB read ahead on the thread pool into a plain buffer that the
 * core copied: a sparse 256 MiB render file to file was faster in every one
 * of eight rounds, by 1-10%; dense ones moved either way within the noise
 * (docs/benchmarks.md, seventh round). 1 MiB read the same way was slower
 * (dense file to file 648 ms, against 566 read ahead and 555 at 256 KiB).
 */
export const CHUNK_SIZE = 1 << 18

/**
 * Pass 1: read everything once into `handler` (names, records), spool if
 * needed. A regular file is read synchronously into `buf`, which should be
 * the recorder's `inputBuffer` (record.ts) so that the core scans
 * it where it was read (no copy).
 * @throws SpoolLimitError when a spooled input passes `spoolLimit` bytes.
 */
export async function collectPass(
  source: Source,
  buf: Uint8Array,
  handler: ScanHandler,
  spoolLimit: number,
  format: RenderFormat = 'raw',
  spoolWrite: SpoolWrite = writeAllAtAsync,
): Promise<void> {
  const scanner = new PlaceholderScanner(handler, { locate: (offset) => locateInSource(source, offset), format })
  if (source.spoolFd >= 0) return collectSpooled(source, buf, scanner, spoolLimit, spoolWrite)
  let length = 0
  for (;;) {
    const n = readFull(source.fd, buf, null)
    if (n === 0) break
    const chunk = n === buf.length ? buf : buf.subarray(0, n)
    length += n
    source.length = length
    scanner.push(chunk)
  }
  scanner.end()
  if (source.replayStart < 0) source.replayStart = startOfRest(source.fd, length)
}

/**
 * Pass 1 of an input that cannot be read twice: each chunk is written to the
 * spool on the thread pool while the scanner reads it and the next chunk is
 * read into the other buffer; one spool write at a time, each finished
 * before its buffer is read into again. A full memory file system moves the
 * spool (spool.ts) at that point, when no write is running. Before an
 * error's position is counted in the spool, the running write is repeated
 * synchronously (source.flushSpool: the same bytes at the same place). No
 * write is left running when this returns or throws.
 * @throws SpoolLimitError when the input passes `spoolLimit` bytes.
 */
async function collectSpooled(source: Source, first: Uint8Array, scanner: PlaceholderScanner, spoolLimit: number, spoolWrite: SpoolWrite): Promise<void> {
  const bufs = [first, new Uint8Array(first.length)] as const
  let length = 0
  let pending: { chunk: Uint8Array; at: number; done: Promise<unknown> } | null = null
  source.flushSpool = () => {
    if (pending !== null) writeAllAt(source.spoolFd, pending.chunk, pending.at)
  }
  const settle = async () => {
    if (pending === null) return
    const { chunk, at, done } = pending
    const err = await done
    pending = null
    if (err === null) return
    if (!movable(err)) throw err
    const fd = moveSpool(source.spoolFd, at)
    source.spoolFd = source.replayFd = fd
    writeAllAt(fd, chunk, at)
  }
  try {
    for (let k = 0; ; k++) {
      const buf = bufs[k & 1]!
      const n = readFull(source.fd, buf, null)
      // The other buffer's write: finished before that buffer is read into.
      await settle()
      if (n === 0) break
      if (length + n > spoolLimit) throw new SpoolLimitError(spoolLimit)
      // The first 1 MiB came in: a large input, worth a wider pipe (pipe-size.ts).
      if (length < WIDE_PIPE && length + n >= WIDE_PIPE) await widenPipe(source.fd)
      const chunk = n === buf.length ? buf : buf.subarray(0, n)
      pending = { chunk, at: length, done: spoolWrite(source.spoolFd, chunk, length).then(() => null, (e: unknown) => e) }
      length += n
      source.length = length
      scanner.push(chunk)
    }
  } finally {
    if (pending !== null) await pending.done
    source.flushSpool = undefined
  }
  scanner.end()
}

/** Writes all of a spool chunk at a position, in the background (tests replace it). */
export type SpoolWrite = (fd: number, bytes: Uint8Array, position: number) => Promise<void>

/** Writes all of `bytes` at `position` on the thread pool. */
async function writeAllAtAsync(fd: number, bytes: Uint8Array, position: number): Promise<void> {
  for (let off = 0; off < bytes.length; ) {
    off += await new Promise<number>((resolve, reject) => write(fd, bytes, off, bytes.length - off, position + off, (err, n) => (err ? reject(err) : resolve(n))))
  }
}

/** Lets the event loop run once (timers, I/O callbacks, finished thread-pool work). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Pass 2 from records: read the input again into the replayer's buffer and
 * copy. Between chunks the event loop turns while `busy()` says background
 * writes are running (destination.ts), so finished ones free their buffers.
 * Returns bytes written.
 */
export async function replayPass(source: Source, replayer: RecordReplayer, busy: () => boolean = () => false): Promise<number> {
  const buf = replayer.input
  let done = 0
  while (done < source.length) {
    if (busy()) await turn()
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
  const arena = new ArrayBuffer(2 * CHUNK_SIZE + valueBytes)
  const buf = new Uint8Array(arena, 0, CHUNK_SIZE)
  const out = new Uint8Array(arena, CHUNK_SIZE, CHUNK_SIZE)
  const local = new Map<string, Uint8Array>()
  let at = 2 * CHUNK_SIZE
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
