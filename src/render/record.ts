/**
 * Position records: pass 1 of a render notes where every placeholder and
 * every escaping `$` is, so pass 2 copies literal runs and values without
 * scanning, validating or hashing anything again.
 *
 * Pass 1 ({@link PositionRecorder}, a ScanHandler) turns the scanner's events
 * into records of two Int32 each:
 *
 *   word 0: gap  = literal input bytes to copy before the construct
 *   word 1: (id << 8) | len
 *           len = input bytes the construct occupies, skipped (0 to 145:
 *                 `${SECRET:` + name + optional `|filter` + `}`, 1 for an
 *                 escaping `$`, 0 for a filler that only splits a gap of
 *                 2^30 bytes or more)
 *           id  = what replaces it: 0 nothing, k >= 1 the k-th distinct
 *                 variant (first-seen order): a name and the escaping its
 *                 value gets there (escaping.ts). Without filters or JSON
 *                 mode every name has one variant, so variant k is name k.
 *
 * The escaping is thus decided in pass 1 and applied once per variant
 * before pass 2 starts, which still only copies.
 *
 * Bytes after the last record are literal. Records fill a reused Int32Array;
 * when it is full the caller's `onFull` takes it (the CLI spools it to a
 * private temporary file), so memory stays bounded whatever the number of
 * placeholders.
 *
 * Pass 2 ({@link RecordReplayer}) reads the input again into its own buffer
 * and the records back, and copies: literal runs and values go into an output
 * buffer that shares one ArrayBuffer with the input buffer and the values, so
 * every copy is a `copyWithin` (see byte-sink.ts for why that matters).
 *
 * The input must be the same in both passes. The replayer checks that every
 * recorded construct still starts with `$` (and a placeholder ends with `}`)
 * and that the records end with the input; the CLI also compares the file's
 * size and modification time (src/cli/render/source.ts).
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */
import { MissingSecretError } from '../errors.ts'
import { applyEscaping, ESCAPING, type Escaping, ESCAPING_COUNT } from './escaping.ts'
import { NameIdTable, nameToString } from './name-table.ts'
import type { ScanHandler } from './scanner.ts'

/** Int32 words per record. */
export const RECORD_INTS = 2
/** Largest name id a record can hold: `id << 8` must stay a positive int32. */
export const MAX_RECORD_ID = (1 << 23) - 1
/** Gaps at least this long are split by a filler record (len 0, id 0). */
const MAX_GAP = 1 << 30
const LEN_MASK = 0xff
/** `${SECRET:` before a name. */
const OPEN_LENGTH = 9
const DOLLAR = 0x24
const RBRACE = 0x7d
const NO_INTS = new Int32Array(0)

/** The error both passes report when the input is not what pass 1 read. */
export function inputChangedError(): Error {
  return new Error('the input changed while it was being rendered')
}

/** What a record id stands for: the value of `name`, escaped by `escaping`. */
export interface Variant {
  name: string
  escaping: Escaping
}

/** Options of {@link PositionRecorder}. */
export interface RecorderOptions {
  /** Records per buffer (default 131072: 1 MiB). */
  capacity?: number
  /**
   * Takes a full buffer of records (valid only during the call; the buffer is
   * reused). Called only when more records follow, so a render whose records
   * fit in one buffer never calls it.
   */
  onFull(records: Int32Array): void
  /** Largest variant id before records are given up (tests lower it). */
  maxId?: number
}

/**
 * Pass 1 handler: collects the distinct names (first-seen order, like
 * NameCollector) and records every construct's position.
 *
 * If a body holds more than {@link MAX_RECORD_ID} distinct variants the
 * records are given up ({@link overflow}; names are still collected in full)
 * and the caller falls back to scanning again in pass 2.
 */
export class PositionRecorder implements ScanHandler {
  private readonly seen = new NameIdTable()
  private readonly list: string[] = []
  /** Variant id of (name id n, escaping e) at n * ESCAPING_COUNT + e; 0 when none yet. */
  private variantOf = new Int32Array(64 * ESCAPING_COUNT)
  private readonly variantList: Variant[] = []
  private readonly buf: Int32Array
  private used = 0
  private gap = 0
  private readonly onFull: (records: Int32Array) => void
  private readonly maxId: number
  /** Whether `onFull` was called at least once. */
  spilled = false
  /** Records made so far. */
  count = 0
  /** True when the records were given up (too many distinct names). */
  overflow = false

  constructor(options: RecorderOptions) {
    const capacity = options.capacity ?? 1 << 17
    if (!(capacity >= 1)) throw new Error('PositionRecorder: capacity must be at least 1')
    this.buf = new Int32Array(capacity * RECORD_INTS)
    this.onFull = options.onFull
    this.maxId = Math.min(options.maxId ?? MAX_RECORD_ID, MAX_RECORD_ID)
  }

  /** Distinct names so far, in first-seen order (a live array: copy it to keep it). */
  get names(): readonly string[] {
    return this.list
  }

  /** Distinct variants so far: record id k is `variants[k - 1]` (a live array). */
  get variants(): readonly Variant[] {
    return this.variantList
  }

  /** Records made since the last `onFull` (valid until the next scan event). */
  pending(): Int32Array {
    return this.buf.subarray(0, this.used)
  }

  /**
   * The buffer records are made in, for pass 2 to read spooled records back
   * into (pass 1 is over by then).
   */
  get buffer(): Int32Array {
    return this.buf
  }

  literal(_buf: Uint8Array, start: number, end: number): void {
    let g = this.gap + end - start
    while (g >= MAX_GAP) {
      this.push(MAX_GAP, 0)
      g -= MAX_GAP
    }
    this.gap = g
  }

  placeholder(buf: Uint8Array, start: number, end: number, hash: number, escaping: Escaping, after: number): void {
    let nameId = this.seen.get(buf, start, end, hash)
    if (nameId === 0) {
      nameId = this.seen.add(buf, start, end, hash)
      this.list.push(nameToString(buf, start, end))
      if ((nameId + 1) * ESCAPING_COUNT > this.variantOf.length) {
        const bigger = new Int32Array(this.variantOf.length * 2)
        bigger.set(this.variantOf)
        this.variantOf = bigger
      }
    }
    const slot = nameId * ESCAPING_COUNT + escaping
    let id = this.variantOf[slot]!
    if (id === 0) {
      id = this.variantList.push({ name: this.list[nameId - 1]!, escaping })
      this.variantOf[slot] = id
      if (id > this.maxId) this.overflow = true
    }
    this.push(this.gap, (id << 8) | (after - start + OPEN_LENGTH))
    this.gap = 0
  }

  escape(): void {
    this.push(this.gap, 1)
    this.gap = 0
  }

  private push(gap: number, word: number): void {
    if (this.overflow) return
    let u = this.used
    const buf = this.buf
    if (u === buf.length) {
      this.spilled = true
      this.onFull(buf)
      u = 0
    }
    buf[u] = gap
    buf[u + 1] = word
    this.used = u + 2
    this.count++
  }
}

/** Options of {@link RecordReplayer}. */
export interface ReplayerOptions {
  /** Size of the input buffer (default 1 MiB): `push(n)` takes at most this many bytes. */
  chunkSize?: number
  /** Size of the output buffer handed to `onFlush` (default 1 MiB). */
  outSize?: number
  /**
   * What each record id stands for (the recorder's {@link PositionRecorder.variants});
   * default: id k is the raw value of `names[k - 1]`.
   */
  variants?: readonly Variant[]
}

/**
 * Pass 2: copies the input to the output as the records say. Read each input
 * chunk into {@link input}, call {@link push} with its length, then
 * {@link end}. Output goes to `onFlush` in buffers of up to `outSize` bytes
 * (valid only during the call).
 */
export class RecordReplayer {
  /** Read the next input bytes here (from index 0), then call {@link push}. */
  readonly input: Uint8Array
  private readonly whole: Uint8Array
  private readonly outBase: number
  private readonly outEnd: number
  private o: number
  private readonly valStart: Int32Array
  private readonly valLen: Int32Array
  private recs: Int32Array = NO_INTS
  private ri = 0
  /** Construct bytes still to skip at the start of the next chunk. */
  private skip = 0
  /** The byte the skipped construct ends with: `}` for a placeholder, `$` for an escape. */
  private skipLast = 0
  /** No records left: the rest of the input is literal. */
  private tail = false
  private readonly next: () => Int32Array | undefined
  private readonly onFlush: (bytes: Uint8Array) => void
  /** Bytes handed to `onFlush` so far. */
  bytesOut = 0

  /**
   * @param names the recorder's names (without `options.variants`, id k is
   *   the value of `names[k - 1]` as it is).
   * @param values the resolved values; every name must have one. Each
   *   variant is escaped once, here.
   * @param nextRecords the next batch of records (whole records), or
   *   undefined when there are no more. The replayer may modify a batch.
   * @throws MissingSecretError listing every name without a value, before
   *   anything is written.
   */
  constructor(
    names: readonly string[],
    values: ReadonlyMap<string, Uint8Array>,
    nextRecords: () => Int32Array | undefined,
    onFlush: (bytes: Uint8Array) => void,
    options: ReplayerOptions = {},
  ) {
    const missing = names.filter((n) => !values.has(n))
    if (missing.length > 0) throw new MissingSecretError(missing)
    const chunkSize = options.chunkSize ?? 1 << 20
    const outSize = options.outSize ?? 1 << 20
    if (!(chunkSize >= 1 && outSize >= 1)) throw new Error('RecordReplayer: sizes must be at least 1')
    const variants = options.variants ?? names.map((name) => ({ name, escaping: ESCAPING.raw }))
    const escaped = variants.map((v) => {
      const value = values.get(v.name)
      if (value === undefined) throw new MissingSecretError(v.name)
      return applyEscaping(v.escaping, value)
    })
    let valueBytes = 0
    for (const v of escaped) valueBytes += v.length
    this.whole = new Uint8Array(chunkSize + outSize + valueBytes)
    this.input = this.whole.subarray(0, chunkSize)
    this.outBase = chunkSize
    this.outEnd = chunkSize + outSize
    this.o = this.outBase
    this.valStart = new Int32Array(escaped.length + 1)
    this.valLen = new Int32Array(escaped.length + 1)
    let at = this.outEnd
    for (let k = 0; k < escaped.length; k++) {
      const v = escaped[k]!
      this.whole.set(v, at)
      // Hygiene: an escaped copy holds the secret too; only `whole` (wiped by wipe()) keeps it.
      if (v !== values.get(variants[k]!.name)) v.fill(0)
      this.valStart[k + 1] = at
      this.valLen[k + 1] = v.length
      at += v.length
    }
    this.next = nextRecords
    this.onFlush = onFlush
  }

  /**
   * Copies `input[0, n)`, the next `n` bytes of the input.
   * @throws Error when the input does not match the records.
   */
  push(n: number): void {
    if (!(n >= 0 && n <= this.input.length)) throw new Error('RecordReplayer: bad chunk length')
    const w = this.whole
    let i = 0
    if (this.skip > 0) {
      const s = Math.min(this.skip, n)
      i = s
      this.skip -= s
      if (this.skip > 0) return
      if (w[s - 1] !== this.skipLast) throw inputChangedError()
    }
    const valStart = this.valStart
    const valLen = this.valLen
    const outEnd = this.outEnd
    let o = this.o
    let recs = this.recs
    let ri = this.ri
    let rend = recs.length
    for (;;) {
      if (ri === rend) {
        const batch = this.tail ? undefined : this.next()
        if (batch === undefined) {
          this.tail = true
          o = this.emit(o, i, n - i)
          i = n
          break
        }
        recs = batch
        ri = 0
        rend = batch.length
        continue
      }
      const g = recs[ri]!
      const word = recs[ri + 1]!
      const len = word & LEN_MASK
      const id = word >>> 8
      const at = i + g
      const vl = valLen[id]!
      if (at + len <= n && o + g + vl <= outEnd) {
        // The common case: the whole record lies in this chunk and its
        // output fits. Two copies, no scan.
        if (len > 0 && (w[at] !== DOLLAR || (len > 1 && w[at + len - 1] !== RBRACE))) throw inputChangedError()
        w.copyWithin(o, i, at)
        o += g
        const vs = valStart[id]!
        w.copyWithin(o, vs, vs + vl)
        o += vl
        i = at + len
        ri += 2
        continue
      }
      if (at > n) {
        // The literal run goes on in the next chunk.
        o = this.emit(o, i, n - i)
        recs[ri] = at - n
        i = n
        break
      }
      o = this.emit(o, i, g)
      if (len > 0 && at < n && w[at] !== DOLLAR) throw inputChangedError()
      o = this.emit(o, valStart[id]!, vl)
      ri += 2
      const last = len > 1 ? RBRACE : DOLLAR
      if (at + len <= n) {
        if (len > 0 && w[at + len - 1] !== last) throw inputChangedError()
        i = at + len
        continue
      }
      this.skip = at + len - n
      this.skipLast = last
      i = n
      break
    }
    this.o = o
    this.recs = recs
    this.ri = ri
  }

  /**
   * Ends the input and flushes the output.
   * @throws Error when records remain (the input got shorter).
   */
  end(): void {
    if (this.skip > 0) throw inputChangedError()
    if (!this.tail) {
      for (;;) {
        if (this.ri < this.recs.length) throw inputChangedError()
        const batch = this.next()
        if (batch === undefined) break
        this.recs = batch
        this.ri = 0
      }
      this.tail = true
    }
    this.flush(this.o)
    this.o = this.outBase
  }

  /** Overwrites the buffers (they held values and rendered output). */
  wipe(): void {
    this.whole.fill(0)
  }

  /** Copies `whole[from, from + len)` to the output at `o`, flushing as it fills. */
  private emit(o: number, from: number, len: number): number {
    const w = this.whole
    while (len > 0) {
      if (o === this.outEnd) o = this.flush(o)
      const c = Math.min(len, this.outEnd - o)
      w.copyWithin(o, from, from + c)
      o += c
      from += c
      len -= c
    }
    return o
  }

  private flush(o: number): number {
    if (o > this.outBase) {
      this.bytesOut += o - this.outBase
      this.onFlush(this.whole.subarray(this.outBase, o))
    }
    return this.outBase
  }
}
