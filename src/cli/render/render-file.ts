/**
 * `secrets render [IN [OUT]]` and `--check` over files and descriptors: the
 * CLI edge around the pure scanner (src/render/), so `node:` modules are
 * allowed here.
 *
 * Promise: a render that fails writes nothing to its destination, and memory
 * stays flat whatever the input size (a 256 KiB read buffer in pass 1, two
 * of them for a spooled input, a 256 KiB input and a 256 KiB output buffer in
 * pass 2, up to four 256 KiB buffers of background writes to an OUT file, a
 * 1 MiB buffer of position records, one placeholder's carry, the names and
 * the values; a file smaller than 256 KiB gets one read buffer and OUT
 * buffers its size). How:
 *
 * 1. Pass 1 (passes.ts) reads the whole input, collects the names and
 *    records where each placeholder and escape is (src/render/record.ts: 8
 *    bytes per construct). A malformed placeholder fails here, before
 *    anything is resolved. An input that cannot be read twice (a pipe, a
 *    terminal) is copied while it is read into an unlinked spool file
 *    (spool.ts); records go to a second one once they outgrow their buffer.
 * 2. `resolveAll(names)` is called once. It throws MissingSecretError for
 *    unknown names before decrypting anything: nothing has been written. A
 *    returned map that lacks a name fails here too, before anything is
 *    written.
 * 3. Pass 2 reads the input again (the file itself, or the spool) and the
 *    records, and copies: literal runs and values, no scanning. Where it
 *    writes, and how an OUT path is only replaced on success, is
 *    destination.ts. To stdout it writes as it goes: every error that
 *    depends on the input was raised in pass 1 already, so only an I/O error
 *    or an input changed between the passes can cut it short. A change is
 *    detected (the records no longer match the bytes, or the file's size or
 *    times changed; source.ts) and reported.
 *
 * Why read a regular file twice rather than spool it: reading from the page
 * cache again is cheaper than writing a copy and reading that back (measured
 * in docs/benchmarks.md: the spooled pipe path is the slower of the two).
 *
 * I/O is on file descriptors with reused buffers (fd.ts), not streams: that
 * beat the runtimes' streams by 1.3-3.4x on both Bun and Node when measured
 * for this project. Reads from a pipe and pass 2's reads are synchronous;
 * what can run beside the scan runs on the runtime's thread pool, at most
 * one or a few operations at a time into buffers not otherwise in use:
 * pass 1 writes the last chunk of a pipe to the spool while it scans the
 * next, and an OUT file is written and fdatasynced in the background during
 * pass 2 (passes.ts, background-writer.ts). Each moves work off the thread
 * that scans (docs/benchmarks.md has the figures). A file is read into the
 * core's memory synchronously: reading ahead on the pool, into a second
 * buffer or into the core's memory, was slower (hand-offs for each chunk).
 */
import { closeSync } from 'node:fs'
import type { ResolveAll } from '../../render/render.ts'
import { PositionRecorder } from '../../render/record.ts'
import { RecordReplayer } from '../../render/replay.ts'
import { PlaceholderScanner, type RenderFormat } from '../../render/scanner.ts'
import { type PlaceholderUse, UseCollector } from '../../render/uses.ts'
import { type Destination, type DestinationOptions, openDestination } from './destination.ts'
import { openInput, readFull, STDIN } from './fd.ts'
import { CHUNK_SIZE, collectPass, replayPass, substitutePass } from './passes.ts'
import { WIDEN_FROM, widenPipe } from './pipe-size.ts'
import { openSource, type Source } from './source.ts'
import { DEFAULT_SPOOL_LIMIT, RecordSpool } from './spool.ts'

/**
 * Size of pass 2's output buffer, i.e. of each write. Smaller than the read
 * buffer on purpose: writing a dense 512 MiB render to a regular file took
 * about 1.0-1.3 s with 128 or 256 KiB writes against 1.8-2.6 s with 512 KiB
 * or 1 MiB writes (interleaved runs on the bench machine; probably the buffer
 * staying in the CPU's L2 cache while the kernel copies it). To /dev/null or
 * a pipe the size made no difference.
 */
const OUT_BUFFER_SIZE = 1 << 18

/** Options of {@link renderFile}. */
export interface RenderFileOptions {
  /** Path of the input, or null for stdin. */
  input: string | null
  /** Path of the output, or null for stdout. */
  output: string | null
  /** Resolves all names at once (see ResolveAll in src/render/render.ts). */
  resolveAll: ResolveAll
  /** `raw` (default) or `json`: the JSON context (docs/placeholders.md). */
  format?: RenderFormat
  /**
   * Most bytes an input that cannot be read twice (a pipe, a terminal, a
   * device) may spool before the render fails; default DEFAULT_SPOOL_LIMIT
   * (the command reads RENDER_SPOOL_LIMIT).
   */
  spoolLimit?: number
  /**
   * For tests: records per buffer (default 131072), largest name id before
   * records are given up, and how a replaced OUT is made durable.
   */
  tuning?: { recordCapacity?: number; maxRecordId?: number; destination?: DestinationOptions }
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
  /** Every placeholder in input order: position, name, escaping. */
  uses: PlaceholderUse[]
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
 *   changed between the passes; Error when a piped input passes `spoolLimit`
 *   (nothing resolved); Error naming OUT when it is refused (destination.ts:
 *   nothing resolved); Node I/O errors (ENOENT, EACCES, EPIPE...).
 *   On any error an OUT path is left as it was and no temporary file remains.
 */
export async function renderFile(options: RenderFileOptions): Promise<RenderFileResult> {
  const source = openSource(options.input)
  const records = new RecordSpool()
  try {
    // Before anything is read or decrypted: an OUT that must not be written fails here.
    const dest = openDestination(options.output, source.file, destinationOptions(source, options.tuning?.destination))
    try {
      const result = await renderInto(source, records, dest, options)
      source.checkUnchanged()
      await dest.settle()
      dest.commit()
      return result
    } catch (err) {
      await dest.settle()
      dest.abort()
      throw err
    }
  } finally {
    records.close()
    source.close()
  }
}

/** Pass 1, resolve, pass 2 into `dest` (which the caller commits or aborts). */
async function renderInto(source: Source, records: RecordSpool, dest: Destination, options: RenderFileOptions): Promise<RenderFileResult> {
  const recorder = new PositionRecorder({
    capacity: options.tuning?.recordCapacity,
    maxId: options.tuning?.maxRecordId,
    onFull: (r) => records.write(r),
  })
  const format = options.format ?? 'raw'
  // A file is read into the core's memory, where it is scanned (no copy); a
  // file smaller than a chunk in one read (its size and a byte, to see its end).
  // A spooled input alternates two plain buffers (one is written to the spool
  // while the other is read into): the core copies each into its memory.
  const bufferSize = source.size >= 0 && source.size < CHUNK_SIZE ? source.size + 1 : CHUNK_SIZE
  const buf = source.spoolFd < 0 ? recorder.inputBuffer(bufferSize) : new Uint8Array(bufferSize)
  await collectPass(source, buf, recorder, options.spoolLimit ?? DEFAULT_SPOOL_LIMIT, format)
  const names = [...recorder.names]
  const values = await options.resolveAll([...names])
  // Everything resolved: pass 2 writes. A large output into a pipe gets a larger pipe (pipe-size.ts).
  if (source.length >= WIDEN_FROM) await widenPipe(dest.fd)
  let bytesOut: number
  if (recorder.overflow) {
    // Too many distinct names for a record (millions): scan again instead.
    bytesOut = substitutePass(source, values, (bytes) => dest.write(bytes), format)
  } else {
    if (recorder.spilled) records.write(recorder.pending())
    const batches = records.used ? records.reader(recorder.buffer) : once(recorder.pending())
    // Throws MissingSecretError for names the map lacks, before anything is written.
    const replayer = new RecordReplayer(names, values, batches, (bytes) => dest.write(bytes), {
      // No larger than the input needs: wipe() below writes every byte of
      // these buffers, and on a 4 KiB render faulting in 1.25 MiB of fresh
      // pages to zero them cost more than the rest of pass 2.
      chunkSize: Math.min(CHUNK_SIZE, Math.max(source.length, 4096)),
      outSize: Math.min(OUT_BUFFER_SIZE, Math.max(source.length, 65_536)),
      variants: recorder.variants,
    })
    try {
      bytesOut = await replayPass(source, replayer, () => dest.busy)
    } finally {
      // Hygiene: the replayer's buffer holds secret values and rendered output.
      replayer.wipe()
    }
  }
  return { names, bytesIn: source.length, bytesOut }
}

/**
 * A small input's OUT buffers its size, not the writer's default 256 KiB:
 * each is wiped after the render, and faulting in fresh pages to fill them
 * with zeros cost a 4 KiB render more than writing it. A larger output
 * (values longer than their placeholders) takes more buffers.
 */
function destinationOptions(source: Source, given: DestinationOptions | undefined): DestinationOptions | undefined {
  if (given?.writer?.bufferSize !== undefined || source.size < 0 || source.size >= CHUNK_SIZE) return given
  return { ...given, writer: { ...given?.writer, bufferSize: Math.max(source.size, SMALL_OUT_BUFFER) } }
}

/** Smallest OUT buffer of a small input's render (see destinationOptions). */
const SMALL_OUT_BUFFER = 1 << 16

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
 * Lists the names IN (path or stdin) uses and every placeholder with its
 * position and escaping, without resolving anything (`secrets render
 * --check`). One pass, nothing written anywhere; the list of placeholders is
 * held in memory.
 * @throws MalformedPlaceholderError on the first malformed placeholder (or,
 *   in JSON mode, one the JSON context refuses); Node I/O errors.
 */
export function checkFile(input: string | null, format: RenderFormat = 'raw'): CheckFileResult {
  const fd = input === null ? STDIN : openInput(input)
  try {
    const buf = new Uint8Array(CHUNK_SIZE)
    const collector = new UseCollector()
    // One pass and no spool: positions come from a running newline count.
    const scanner = new PlaceholderScanner(collector, { format })
    for (;;) {
      const n = readFull(fd, buf, null)
      if (n === 0) break
      scanner.push(n === buf.length ? buf : buf.subarray(0, n))
    }
    scanner.end()
    return { names: [...collector.names], uses: [...collector.uses], bytesIn: scanner.bytesIn }
  } finally {
    if (input !== null) closeSync(fd)
  }
}
