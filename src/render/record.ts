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
 * Pass 2 (RecordReplayer, replay.ts) reads the input again into its own buffer
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
import { coreHash, coreWorthIt, type RenderCore, renderCore } from './core.ts'
import { ESCAPING, type Escaping, ESCAPING_COUNT } from './escaping.ts'
import { NameIdTable, nameToString } from './name-table.ts'
import type { ScanHandler } from './scanner.ts'

/** Int32 words per record. */
export const RECORD_INTS = 2
/** Largest name id a record can hold: `id << 8` must stay a positive int32. */
export const MAX_RECORD_ID = (1 << 23) - 1
/** Gaps at least this long are split by a filler record (len 0, id 0). */
const MAX_GAP = 1 << 30
/** The low byte of a record's word 1: the construct's length in the input. */
export const LEN_MASK = 0xff
/** `${SECRET:` before a name. */
const OPEN_LENGTH = 9
const DOLLAR = 0x24
const RBRACE = 0x7d
const NO_INTS = new Int32Array(0)
/** Largest input buffer the WebAssembly core scans (a larger one is scanned by the JavaScript loop). */
const CORE_INPUT = 1 << 20
/** Slots of the core's name table (at most half are used) and bytes for their keys. */
const CORE_SLOTS = 4096
const CORE_KEY_BYTES = (CORE_SLOTS / 2) * 128
/** Room after the keys: the core compares them 8 bytes at a time. */
const CORE_KEY_SLACK = 16

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
  /**
   * The WebAssembly core (core.ts), when it runs here. Its memory holds the
   * input being scanned (a copy), the records (`buf`), and a table from the
   * names seen to their raw variant's id, so it can record a plain
   * `${SECRET:NAME}` of a known name without calling back.
   */
  private readonly core: RenderCore | undefined
  /** Int index of the records in the core's memory; byte indices of its name table and keys. */
  private readonly coreRec: number = 0
  private readonly coreTab: number = 0
  private readonly coreKeys: number = 0
  private coreKeysUsed = 0
  private coreNames = 0
  /** Whether the buffer being scanned was copied into the core (fastBegin), and its length. */
  private coreReady = false
  private coreEnd = 0
  /** Whether the core's functions are ready (RenderCore.start). */
  private coreStarted = false
  /** Whether {@link inputBuffer} handed out the core's input area. */
  private inPlace = false
  /** Where the pending literal run starts after {@link fastScan}. */
  fastLiteral = 0

  constructor(options: RecorderOptions) {
    const capacity = options.capacity ?? 1 << 17
    if (!(capacity >= 1)) throw new Error('PositionRecorder: capacity must be at least 1')
    // Core layout: input, records, name table (16 bytes a slot), key bytes.
    const recAt = CORE_INPUT / 4
    const tabAt = 4 * (recAt + capacity * RECORD_INTS)
    this.core = renderCore(tabAt + 16 * CORE_SLOTS + CORE_KEY_BYTES + CORE_KEY_SLACK)
    if (this.core) {
      this.coreRec = recAt
      this.coreTab = tabAt
      this.coreKeys = tabAt + 16 * CORE_SLOTS
      this.buf = this.core.ints.subarray(recAt, recAt + capacity * RECORD_INTS)
    } else this.buf = new Int32Array(capacity * RECORD_INTS)
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
      else if (escaping === ESCAPING.raw && this.core) this.coreLearn(buf, start, end, id)
    }
    this.push(this.gap, (id << 8) | (after - start + OPEN_LENGTH))
    this.gap = 0
  }

  /**
   * A buffer of `size` bytes (at most 1 MiB) to read the input into, so
   * that {@link fastBegin} need not copy it into the core's memory; a plain
   * new buffer without the core. Pushing anything else also works.
   */
  inputBuffer(size: number): Uint8Array {
    if (this.core === undefined || size > CORE_INPUT) return new Uint8Array(size)
    this.inPlace = true
    return this.core.bytes.subarray(0, size)
  }

  /**
   * Fast path, part 1: copies `buf` into the core's memory, to be scanned
   * with {@link fastScan}. False when there is no core, the buffer is too
   * large, or the records were given up; the scanner then looks for `$`
   * itself.
   */
  fastBegin(buf: Uint8Array): boolean {
    const core = this.core
    if (core === undefined || this.overflow || buf.length > CORE_INPUT) return (this.coreReady = false)
    if (!this.coreStarted) {
      // Started by the first buffer large enough to be worth it: a small render does not compile the module.
      if (!coreWorthIt(buf.length) || !core.start()) return (this.coreReady = false)
      this.coreStarted = true
    }
    if (buf.buffer !== core.bytes.buffer || buf.byteOffset !== core.bytes.byteOffset) {
      // Once the input is read into inputBuffer(), another buffer (the
      // scanner's small join of a carried tail) must not overwrite it there:
      // the scanner looks for `$` in it itself.
      if (this.inPlace) return (this.coreReady = false)
      core.bytes.set(buf, 0)
    }
    this.coreEnd = buf.length
    return (this.coreReady = true)
  }

  /**
   * Fast path, part 2: from `p` in the buffer given to {@link fastBegin},
   * whose pending literal run starts at `literalStart`, records every plain
   * `${SECRET:NAME}` of a name already seen, as `literal` and `placeholder`
   * would, and returns the index of the next `$` left to the scanner (-1 when
   * none). The pending literal run then starts at {@link fastLiteral}.
   */
  fastScan(p: number, literalStart: number): number {
    const core = this.core!
    if (!this.coreReady || this.overflow) {
      this.fastLiteral = literalStart
      return core.bytes.subarray(0, this.coreEnd).indexOf(DOLLAR, p)
    }
    const before = this.used
    const next = core.scan(p, this.coreEnd, literalStart, this.gap, before, this.buf.length, this.coreTab, CORE_SLOTS - 1, 4 * this.coreRec)
    const r = core.results
    this.fastLiteral = r[0]!
    this.gap = r[1]!
    this.used = r[2]!
    this.count += (this.used - before) >> 1
    return next
  }

  /** Tells the core's name table the raw variant `id` of the name `buf[start, end)`. */
  private coreLearn(buf: Uint8Array, start: number, end: number, id: number): void {
    const len = end - start
    if (this.coreNames >= CORE_SLOTS / 2 || this.coreKeysUsed + len > CORE_KEY_BYTES) return // the rest go through JavaScript
    const core = this.core!
    const key = this.coreKeys + this.coreKeysUsed
    core.bytes.set(buf.subarray(start, end), key)
    this.coreKeysUsed += len
    this.coreNames++
    const hash = coreHash(buf, start, end)
    let slot = hash & (CORE_SLOTS - 1)
    const ints = core.ints
    while (ints[(this.coreTab >> 2) + slot * 4 + 1] !== 0) slot = (slot + 1) & (CORE_SLOTS - 1)
    const at = (this.coreTab >> 2) + slot * 4
    ints[at] = hash
    ints[at + 2] = key
    ints[at + 3] = len
    ints[at + 1] = id
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
