/**
 * File and descriptor I/O for `secrets render [IN [OUT]]` and `--check`: the
 * CLI edge around the pure scanner (src/render/), so `node:` modules are
 * allowed here.
 *
 * Promise: a render that fails writes nothing to its destination, and memory
 * stays flat whatever the input size (a reused 1 MiB read buffer, a 256 KiB
 * write buffer, a 1 MiB buffer of position records, one placeholder's carry,
 * the names and the values). How:
 *
 * 1. Pass 1 reads the whole input, collects the names and records where each
 *    placeholder and escape is (src/render/record.ts: 8 bytes per
 *    construct). A malformed placeholder fails here, before anything is
 *    resolved. An input that cannot be read twice (a pipe, a terminal) is
 *    copied while it is read into a spool file in a private (0700) temporary
 *    directory; the file is unlinked as soon as it is opened, so nothing is
 *    left behind even if the process is killed. Records go to a second such
 *    spool file once they outgrow their 1 MiB buffer.
 * 2. `resolveAll(names)` is called once. It throws MissingSecretError for
 *    unknown names before decrypting anything: nothing has been written. A
 *    returned map that lacks a name fails here too, before anything is
 *    written.
 * 3. Pass 2 reads the input again (the file itself, or the spool) and the
 *    records, and copies: literal runs and values, no scanning. To an OUT
 *    path it writes a temporary file beside OUT (mode 0600: it holds
 *    secrets), fsyncs and renames it over OUT only on success, and unlinks it
 *    on any failure. To stdout (or an OUT that is a device or FIFO) it writes
 *    as it goes: every error that depends on the input was raised in pass 1
 *    already, so only an I/O error or an input changed between the passes can
 *    cut it short. A change is detected (the records no longer match the
 *    bytes, or the file's size or times changed) and reported.
 *
 * Why read a regular file twice rather than spool it: reading from the page
 * cache again is cheaper than writing a copy and reading that back (measured
 * in docs/benchmarks.md: the spooled pipe path is the slower of the two).
 *
 * I/O is synchronous on file descriptors with reused buffers: it beat the
 * runtimes' streams by 1.3-3.4x on both Bun and Node (../../../shared/STACK.md),
 * and a render has nothing else to do meanwhile.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { BufferedSink } from '../render/byte-sink.ts'
import { NameCollector } from '../render/names.ts'
import { countNewlines, type Locate } from '../render/position.ts'
import type { ResolveAll } from '../render/render.ts'
import { inputChangedError, PositionRecorder, RecordReplayer } from '../render/record.ts'
import { PlaceholderScanner, type ScanHandler } from '../render/scanner.ts'
import { Substituter } from '../render/substituter.ts'

/** Size of the reused read buffers (and of both buffers of the scanning fallback). */
const BUFFER_SIZE = 1 << 20
/**
 * Size of pass 2's output buffer, i.e. of each write. Smaller than the read
 * buffer on purpose: writing a dense 512 MiB render to a regular file took
 * about 1.0-1.3 s with 128 or 256 KiB writes against 1.8-2.6 s with 512 KiB
 * or 1 MiB writes (interleaved runs on the bench machine; probably the buffer
 * staying in the CPU's L2 cache while the kernel copies it). To /dev/null or
 * a pipe the size made no difference.
 */
const OUT_BUFFER_SIZE = 1 << 18
const STDIN = 0
const STDOUT = 1

/** Options of {@link renderFile}. */
export interface RenderFileOptions {
  /** Path of the input, or null for stdin. */
  input: string | null
  /** Path of the output, or null for stdout. */
  output: string | null
  /** Resolves all names at once (see ResolveAll in src/render/render.ts). */
  resolveAll: ResolveAll
  /** For tests: records per buffer (default 131072), largest name id before records are given up. */
  tuning?: { recordCapacity?: number; maxRecordId?: number }
}

/** What {@link renderFile} did. */
export interface RenderFileResult {
  /** Distinct names used, in first-seen order. */
  names: string[]
  bytesIn: number
  bytesOut: number
}

/** What {@link checkFile} found. */
export interface CheckFileResult {
  /** Distinct names used, in first-seen order. */
  names: string[]
  bytesIn: number
}

/**
 * Renders IN (path or stdin) to OUT (path or stdout) in two passes; see the
 * file comment for the guarantees. `resolveAll` is called exactly once, with
 * the distinct names in first-seen order (possibly none), and only after the
 * whole input was read and found well formed.
 * @throws MalformedPlaceholderError (pass 1: nothing resolved, nothing
 *   written); whatever `resolveAll` throws, e.g. MissingSecretError (nothing
 *   written); MissingSecretError if its map lacks a name; Error when the input
 *   changed between the passes; Node I/O errors (ENOENT, EACCES, EPIPE...).
 *   On any error an OUT path is left as it was and no temporary file remains.
 */
export async function renderFile(options: RenderFileOptions): Promise<RenderFileResult> {
  const source = openSource(options.input)
  const records = new RecordSpool()
  try {
    const recorder = new PositionRecorder({
      capacity: options.tuning?.recordCapacity,
      maxId: options.tuning?.maxRecordId,
      onFull: (r) => records.write(r),
    })
    collectPass(source, new Uint8Array(BUFFER_SIZE), recorder)
    const names = [...recorder.names]
    const values = await options.resolveAll([...names])
    let bytesOut: number
    if (recorder.overflow) {
      // Too many distinct names for a record (millions): scan again instead.
      const dest = openDestination(options.output)
      bytesOut = finishPass(source, dest, () => substitutePass(source, values, dest.fd))
    } else {
      if (recorder.spilled) records.write(recorder.pending())
      const batches = records.used ? records.reader(recorder.buffer) : once(recorder.pending())
      let outFd = -1
      // Throws MissingSecretError for names the map lacks, before anything is written.
      const replayer = new RecordReplayer(names, values, batches, (bytes) => writeAll(outFd, bytes), {
        chunkSize: BUFFER_SIZE,
        outSize: OUT_BUFFER_SIZE,
      })
      try {
        const dest = openDestination(options.output)
        outFd = dest.fd
        bytesOut = finishPass(source, dest, () => replayPass(source, replayer))
      } finally {
        // Hygiene: the replayer's buffer holds secret values and rendered output.
        replayer.wipe()
      }
    }
    return { names, bytesIn: source.length, bytesOut }
  } finally {
    records.close()
    source.close()
  }
}

/** Runs pass 2 into `dest`, checks the input did not change, and commits; aborts on any error. */
function finishPass(source: Source, dest: Destination, pass: () => number): number {
  try {
    const bytesOut = pass()
    source.checkUnchanged()
    dest.commit()
    return bytesOut
  } catch (err) {
    dest.abort()
    throw err
  }
}

/** A batch source that yields one batch, then nothing. */
function once(batch: Int32Array): () => Int32Array | undefined {
  let done = false
  return () => {
    if (done) return undefined
    done = true
    return batch
  }
}

/**
 * Position records that outgrew their buffer: appended to an unlinked 0600
 * spool file (opened on first use), read back in order in pass 2.
 */
class RecordSpool {
  private fd = -1
  private size = 0

  /** Whether anything was written. */
  get used(): boolean {
    return this.fd >= 0
  }

  write(records: Int32Array): void {
    if (this.fd < 0) this.fd = openSpool()
    writeAll(this.fd, new Uint8Array(records.buffer, records.byteOffset, records.byteLength))
    this.size += records.byteLength
  }

  /** Reads the records back, in order, into `into` (whole records per batch). */
  reader(into: Int32Array): () => Int32Array | undefined {
    const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength)
    let pos = 0
    return () => {
      if (pos >= this.size) return undefined
      const n = readFull(this.fd, bytes, pos)
      if (n === 0 || n % 8 !== 0) throw new Error('render: the record spool is truncated')
      pos += n
      return into.subarray(0, n >> 2)
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd)
    this.fd = -1
  }
}

/** Pass 2 from records: read the input again into the replayer's buffer and copy. Returns bytes written. */
function replayPass(source: Source, replayer: RecordReplayer): number {
  const buf = replayer.input
  let done = 0
  while (done < source.length) {
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
 * Lists the names IN (path or stdin) uses, without resolving anything
 * (`secrets render --check`). One pass, nothing written anywhere.
 * @throws MalformedPlaceholderError on the first malformed placeholder;
 *   Node I/O errors.
 */
export function checkFile(input: string | null): CheckFileResult {
  const fd = input === null ? STDIN : openSync(input, 'r')
  try {
    const buf = new Uint8Array(BUFFER_SIZE)
    const collector = new NameCollector()
    // One pass and no spool: positions come from a running newline count.
    const scanner = new PlaceholderScanner(collector)
    for (;;) {
      const n = readFull(fd, buf, null)
      if (n === 0) break
      scanner.push(n === buf.length ? buf : buf.subarray(0, n))
    }
    scanner.end()
    return { names: [...collector.names], bytesIn: scanner.bytesIn }
  } finally {
    if (input !== null) closeSync(fd)
  }
}

/** The input as pass 1 and pass 2 see it. */
interface Source {
  /** Descriptor pass 1 reads from (sequentially). */
  readonly fd: number
  /** Descriptor pass 2 reads from, at explicit positions. */
  replayFd: number
  /**
   * Position of the first input byte in `replayFd`, or -1 until known (stdin
   * redirected from a file may start past the file's beginning).
   */
  replayStart: number
  /** Descriptor pass 1 copies the input to, or -1 when the input can be read again. */
  readonly spoolFd: number
  /** Input bytes read by pass 1. */
  length: number
  /** Throws when a regular input file's size or times differ from before pass 1 (a spool cannot change). */
  checkUnchanged(): void
  close(): void
}

function openSource(path: string | null): Source {
  const fd = path === null ? STDIN : openSync(path, 'r')
  let spoolFd = -1
  try {
    if (!fstatSync(fd).isFile()) spoolFd = openSpool()
  } catch (err) {
    if (path !== null) closeSync(fd)
    throw err
  }
  const stamp = spoolFd >= 0 ? '' : fileStamp(fd)
  return {
    fd,
    checkUnchanged() {
      if (spoolFd < 0 && fileStamp(fd) !== stamp) throw inputChangedError()
    },
    replayFd: spoolFd >= 0 ? spoolFd : fd,
    replayStart: spoolFd >= 0 || path !== null ? 0 : -1,
    spoolFd,
    length: 0,
    close() {
      if (spoolFd >= 0) closeSync(spoolFd)
      if (path !== null) closeSync(fd)
    },
  }
}

/** Size, modification and change times of an open file, to notice a change between the passes. */
function fileStamp(fd: number): string {
  const st = fstatSync(fd, { bigint: true })
  return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`
}

/**
 * Opens a spool file in a fresh 0700 directory and unlinks both at once: the
 * open descriptor keeps the data reachable, and nothing remains on disk
 * after close, an error or a kill.
 */
function openSpool(): number {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-render-'))
  const path = join(dir, 'input')
  try {
    const fd = openSync(path, 'wx+', 0o600)
    unlinkSync(path)
    return fd
  } finally {
    try {
      unlinkSync(path)
    } catch {
      // Already unlinked above (the normal case), or never created.
    }
    rmdirSync(dir)
  }
}

/** Pass 1: read everything once into `handler` (names, records), spool if needed. */
function collectPass(source: Source, buf: Uint8Array, handler: ScanHandler): void {
  const scanner = new PlaceholderScanner(handler, { locate: (offset) => locateInSource(source, offset) })
  let length = 0
  for (;;) {
    const n = readFull(source.fd, buf, null)
    if (n === 0) break
    const chunk = n === buf.length ? buf : buf.subarray(0, n)
    // Spool before scanning, so an error's position can be found in the spool.
    if (source.spoolFd >= 0) writeAll(source.spoolFd, chunk)
    length += n
    source.length = length
    scanner.push(chunk)
  }
  scanner.end()
  if (source.replayStart < 0) source.replayStart = startOfRest(source.fd, length)
}

/**
 * Where the input began in a regular file read sequentially from its
 * descriptor's offset (stdin may be a file that something read part of
 * already): the input is the last `consumed + rest` bytes of the file, where
 * `rest` is what is still unread (drained here; nothing after pass 1).
 */
function startOfRest(fd: number, consumed: number): number {
  let rest = 0
  const scratch = new Uint8Array(1 << 16)
  for (let n = readFull(fd, scratch, null); n > 0; n = readFull(fd, scratch, null)) rest += n
  const start = fstatSync(fd).size - consumed - rest
  if (start < 0) throw new Error('the input changed while it was being rendered')
  return start
}

/**
 * Pass 2 without records (the fallback when a body has more distinct names
 * than a record can number): read the input again, scan and substitute,
 * write to `outFd`. Returns bytes written.
 *
 * The read buffer, the write buffer and copies of the values share one
 * ArrayBuffer, so every piece is copied with `copyWithin` (see BufferedSink:
 * about 3x cheaper per piece than a view and `set`, which matters when
 * placeholders are dense).
 */
function substitutePass(source: Source, values: Map<string, Uint8Array>, outFd: number): number {
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
  const sink = new BufferedSink((bytes) => writeAll(outFd, bytes), out)
  const substituter = new Substituter(local, sink, { locate: (offset) => locateInSource(source, offset) })
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

/** Position of an input offset, counted by reading the input again (only on an error). */
function locateInSource(source: Source, offset: number): ReturnType<Locate> {
  // An error in pass 1 on stdin-from-a-file: find where the input began by
  // reading the rest (the render is failing anyway).
  if (source.replayStart < 0) source.replayStart = startOfRest(source.fd, source.length)
  const buf = new Uint8Array(1 << 16)
  let lines = 0
  let lastNewline = -1
  let done = 0
  while (done < offset) {
    const want = Math.min(buf.length, offset - done)
    const n = readFull(source.replayFd, buf.subarray(0, want), source.replayStart + done)
    if (n === 0) break
    const { count, last } = countNewlines(buf, 0, n)
    lines += count
    if (last >= 0) lastNewline = done + last
    done += n
  }
  return { line: lines + 1, column: offset - lastNewline }
}

/** Where pass 2 writes, and how to finish or undo it. */
interface Destination {
  fd: number
  commit(): void
  abort(): void
}

/**
 * Opens where pass 2 writes.
 * - stdout: written as it goes.
 * - an existing OUT that is not a regular file (`/dev/null`, `/dev/stdout`, a
 *   FIFO): written directly, like stdout. A temporary file renamed over it
 *   would replace the device or pipe itself.
 * - otherwise: a temporary file beside OUT (beside the file a symlinked OUT
 *   points to, so the link survives), renamed over it on success.
 */
function openDestination(path: string | null): Destination {
  if (path === null) return { fd: STDOUT, commit() {}, abort() {} }
  let target = path
  try {
    if (!statSync(path).isFile()) {
      const fd = openSync(path, 'w')
      return { fd, commit: () => closeSync(fd), abort: () => closeSync(fd) }
    }
    target = realpathSync(path)
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT') throw err
  }
  const tmp = join(dirname(target), `.${basename(target)}.${randomHex(6)}.tmp`)
  // 0600 whatever OUT had before: the rendered file holds secret values.
  const fd = openSync(tmp, 'wx', 0o600)
  let open = true
  return {
    fd,
    commit() {
      fsyncSync(fd)
      closeSync(fd)
      open = false
      renameSync(tmp, target)
    },
    abort() {
      if (open) closeSync(fd)
      open = false
      try {
        unlinkSync(tmp)
      } catch {
        // Best effort: the original error is the one to report.
      }
    },
  }
}

/** `bytes` random bytes as hex (Web Crypto: loading node:crypto costs a few ms of start-up). */
function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes))
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

/** Blocks the thread briefly; used only when a descriptor is non-blocking and not ready. */
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1)
}

function isEagain(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'EAGAIN'
}

/**
 * Reads until `buf` is full or the input ends (pipes return at most a pipe
 * buffer per read). `position` null reads from the descriptor's offset.
 */
function readFull(fd: number, buf: Uint8Array, position: number | null): number {
  let got = 0
  while (got < buf.length) {
    let n: number
    try {
      n = readSync(fd, buf, got, buf.length - got, position === null ? null : position + got)
    } catch (err) {
      if (isEagain(err)) {
        pause()
        continue
      }
      if ((err as { code?: unknown }).code === 'EOF') break
      throw err
    }
    if (n === 0) break
    got += n
  }
  return got
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off)
    } catch (err) {
      if (!isEagain(err)) throw err
      pause()
    }
  }
}
