/**
 * Shared helpers of the render tests: run the streaming substituter and the
 * names pass over an input cut into given chunks, capturing output or error.
 */
import { MalformedPlaceholderError, MissingSecretError } from '../../src/errors.ts'
import { CollectingSink } from '../../src/render/byte-sink.ts'
import { NameCollector } from '../../src/render/names.ts'
import type { PositionRecorder } from '../../src/render/record.ts'
import { RecordReplayer } from '../../src/render/replay.ts'
import { PlaceholderScanner, type RenderFormat, type ScannerOptions } from '../../src/render/scanner.ts'
import { referenceNames, referenceRender } from './reference.ts'
import { Substituter } from '../../src/render/substituter.ts'

export const enc = new TextEncoder()
/** UTF-8 decoder that keeps a leading U+FEFF (the default drops it). */
export const dec = new TextDecoder('utf-8', { ignoreBOM: true })

/** Bytes of a string, or bytes as given. */
export function bytes(input: string | number[]): Uint8Array<ArrayBuffer> {
  return typeof input === 'string' ? enc.encode(input) : new Uint8Array(input)
}

/** A Map of string values, encoded. */
export function valueMap(values: Record<string, string>): Map<string, Uint8Array> {
  return new Map(Object.entries(values).map(([k, v]) => [k, enc.encode(v)]))
}

/** Cuts `input` at the given offsets (sorted, within bounds, duplicates give empty chunks). */
export function cut(input: Uint8Array, offsets: number[]): Uint8Array<ArrayBuffer>[] {
  const chunks: Uint8Array<ArrayBuffer>[] = []
  let prev = 0
  for (const o of offsets) {
    chunks.push(input.slice(prev, o))
    prev = o
  }
  chunks.push(input.slice(prev))
  return chunks
}

/** What a run produced: the output bytes, or the error in comparable form. */
export type Outcome =
  | { ok: Uint8Array<ArrayBuffer> }
  | { malformed: { line: number; column: number; message: string } }
  | { missing: readonly string[] }

/** Normalises an error into an Outcome; rethrows anything unexpected. */
export function outcomeOf(err: unknown): Outcome {
  if (err instanceof MalformedPlaceholderError) return { malformed: { line: err.line, column: err.column, message: err.message } }
  if (err instanceof MissingSecretError) return { missing: err.names }
  throw err
}

/**
 * Runs the streaming substituter over chunks. Each chunk is pushed from a
 * buffer that is overwritten with garbage right after the push, to prove the
 * scanner keeps nothing it does not own.
 */
export function substituteChunks(chunks: Uint8Array[], values: Map<string, Uint8Array>, format: RenderFormat = 'raw'): Outcome {
  const sink = new CollectingSink()
  const parts: Uint8Array[] = []
  const collected = { write: (b: Uint8Array, s: number, e: number) => sink.write(b, s, e) }
  const sub = new Substituter(values, collected, { format })
  try {
    for (const chunk of chunks) {
      const reused = chunk.slice()
      sub.push(reused)
      // Views handed to the sink must be copied before the caller reuses the chunk.
      parts.push(sink.take())
      reused.fill(0x24)
    }
    sub.end()
    parts.push(sink.take())
  } catch (err) {
    return outcomeOf(err)
  }
  return { ok: join(parts) }
}

/** Reads a whole byte stream into one array. */
export async function readStream(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const reader = stream.getReader()
  const parts: Uint8Array[] = []
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    parts.push(value)
  }
  return join(parts)
}

/** Concatenates byte arrays. */
export function join(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Runs the names pass over chunks (with the running line count). */
export function namesOfChunks(chunks: Uint8Array[], format: RenderFormat = 'raw'): { names: string[] } | Outcome {
  try {
    return { names: collectNamesFromChunks(chunks.map((c) => c.slice()), { format }) }
  } catch (err) {
    return outcomeOf(err)
  }
}

/** The byte offset of a 1-based line and byte column. */
function offsetOf(b: Uint8Array, line: number, column: number): number {
  let start = 0
  for (let l = 1; l < line; l++) start = b.indexOf(10, start) + 1
  return start + column - 1
}

/**
 * What a single-pass render (the substituter, renderStream) must report for
 * `b` with `values`, by the reference implementation: the output, or the
 * first problem in input order (a missing name before a malformed
 * placeholder wins).
 */
export function streamReference(b: Uint8Array, values: ReadonlyMap<string, Uint8Array>, format: RenderFormat = 'raw'): Outcome {
  try {
    referenceNames(b, format)
  } catch (err) {
    if (!(err instanceof MalformedPlaceholderError)) throw err
    try {
      referenceRender(b.subarray(0, offsetOf(b, err.line, err.column)), values, format)
    } catch (missing) {
      return outcomeOf(missing)
    }
    return outcomeOf(err)
  }
  try {
    return { ok: referenceRender(b, values, format) }
  } catch (err) {
    return outcomeOf(err)
  }
}

/**
 * What a two-pass render (renderString, renderFile) must report for `b` with
 * `values`, by the reference implementation: a malformed placeholder anywhere
 * first; then every name `values` lacks; else the output.
 */
export function twoPassReference(b: Uint8Array, values: ReadonlyMap<string, Uint8Array>, format: RenderFormat = 'raw'): Outcome {
  let names: string[]
  try {
    names = referenceNames(b, format)
  } catch (err) {
    return outcomeOf(err)
  }
  const missing = names.filter((n) => !values.has(n))
  if (missing.length > 0) return { missing }
  return { ok: referenceRender(b, values, format) }
}

/** The rejection of `p`; throws if `p` resolves (so a test cannot pass on a missing error). */
export async function errorOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

/**
 * The distinct names used by a body given as chunks (any split, including
 * inside a placeholder), in first-seen order: a NameCollector behind a
 * scanner, as the render paths use them. Chunks may be reused buffers.
 * @throws MalformedPlaceholderError on the first malformed placeholder.
 */
export function collectNamesFromChunks(chunks: Iterable<Uint8Array>, options: ScannerOptions = {}): string[] {
  const collector = new NameCollector()
  const scanner = new PlaceholderScanner(collector, options)
  for (const chunk of chunks) scanner.push(chunk)
  scanner.end()
  return [...collector.names]
}

/**
 * Pass 2 as renderFile runs it: replays `input` through the records that
 * pass 1 left in `recorder` (its spilled `batches`, then its pending ones),
 * `replayChunk` bytes at a time into an output buffer of `outSize`.
 * @throws what the replayer throws (a missing name, an input that does not match).
 */
export function replayRecords(
  recorder: PositionRecorder,
  batches: Int32Array[],
  values: ReadonlyMap<string, Uint8Array>,
  input: Uint8Array,
  replayChunk: number,
  outSize: number,
): Uint8Array<ArrayBuffer> {
  batches.push(recorder.pending().slice())
  let k = 0
  const out: Uint8Array[] = []
  const replayer = new RecordReplayer(recorder.names, values, () => batches[k++], (b) => out.push(b.slice()), {
    chunkSize: replayChunk,
    outSize,
    variants: recorder.variants,
  })
  for (let at = 0; at < input.length; at += replayChunk) {
    const piece = input.subarray(at, at + replayChunk)
    replayer.input.set(piece)
    replayer.push(piece.length)
  }
  replayer.end()
  return join(out)
}
