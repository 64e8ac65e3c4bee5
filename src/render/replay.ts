/**
 * Pass 2 of a render: the input read again and copied as pass 1's position
 * records say (record.ts has the record format and pass 1). Literal runs and
 * values go into an output buffer that shares one ArrayBuffer with the input
 * buffer and the values, so every copy is a `copyWithin` (byte-sink.ts says
 * why that matters). Nothing is scanned, validated or hashed again; the
 * replayer only checks that every recorded construct still starts with `$`
 * (and a placeholder ends with `}`) and that the records end with the input.
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */
import { MissingSecretError } from '../errors.ts'
import { CORE_SLACK, coreWorthIt, type RenderCore, renderCore } from './core.ts'
import { applyEscaping, ESCAPING } from './escaping.ts'
import { inputChangedError, LEN_MASK, type Variant } from './record.ts'

const DOLLAR = 0x24
const RBRACE = 0x7d
const NO_INTS = new Int32Array(0)
/** Records (int32 pairs) the WebAssembly core's window holds: a batch larger than this is copied by the JavaScript loop. */
const CORE_RECORD_INTS = 1 << 18

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
  /** The WebAssembly core (core.ts), when it runs here; `whole` and the value tables are then in its memory. */
  private readonly core: RenderCore | undefined
  /** Int index in the core's memory of the record window, and of the value tables. */
  private readonly coreRecs: number = 0
  private readonly coreVal: number = 0
  /** Whether `recs` is in the core's record window. */
  private inCore = false
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
    // Layout: input, output, slack (the core's copies may overshoot), values;
    // with the core also the value tables and a record window, int-aligned.
    const valuesEnd = chunkSize + outSize + CORE_SLACK + valueBytes
    const tables = Math.ceil((valuesEnd + CORE_SLACK) / 4)
    const tableInts = escaped.length + 1
    const windowAt = tables + 2 * tableInts
    // Only for inputs read in large chunks: a small render does not compile the module.
    const core = coreWorthIt(chunkSize) ? renderCore(4 * (windowAt + CORE_RECORD_INTS)) : undefined
    this.core = core?.start() ? core : undefined
    if (this.core) {
      // Only the data: wipe() must not touch (fault in) the record window's pages.
      this.whole = this.core.bytes.subarray(0, valuesEnd)
      this.valStart = this.core.ints.subarray(tables, tables + tableInts)
      this.valLen = this.core.ints.subarray(tables + tableInts, windowAt)
      this.coreVal = tables
      this.coreRecs = windowAt
    } else {
      this.whole = new Uint8Array(valuesEnd)
      this.valStart = new Int32Array(tableInts)
      this.valLen = new Int32Array(tableInts)
    }
    this.input = this.whole.subarray(0, chunkSize)
    this.outBase = chunkSize
    this.outEnd = chunkSize + outSize
    this.o = this.outBase
    let at = this.outEnd + CORE_SLACK
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
    const core = this.core
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
        this.inCore = false
        if (core && batch.length <= CORE_RECORD_INTS) {
          core.ints.set(batch, this.coreRecs)
          recs = core.ints.subarray(this.coreRecs, this.coreRecs + batch.length)
          this.inCore = true
        }
        continue
      }
      if (this.inCore) {
        // The core copies every record that lies whole in this chunk and
        // fits the output; the JavaScript below takes the one that does not.
        const base = 4 * this.coreRecs
        if (core!.replay(i, n, o, base + 4 * ri, base + 4 * rend, outEnd, 4 * this.coreVal, 4 * (this.coreVal + valStart.length)) !== 0) {
          throw inputChangedError()
        }
        const r = core!.results
        i = r[0]!
        o = r[1]!
        ri = (r[2]! - base) >> 2
        if (ri === rend) continue
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
