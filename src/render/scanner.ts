/**
 * Longer than the usual 300 lines on purpose: the scanner is one state machine
 * (placeholder, filter and JSON-string states) driven by one hot loop, and
 * splitting it would split that state across files.
 *
 * The placeholder scanner: a pure, streaming byte scanner that turns input
 * chunks into "literal bytes" and "placeholder NAME" events. It knows nothing
 * of secrets, databases or keys (see ../../docs/placeholders.md for the
 * grammar, which this file implements and test/render/reference.ts restates naively).
 *
 * Grammar, scanning left to right:
 * - `$` immediately followed by `${SECRET:` is an escape: the first `$` is
 *   dropped and the placeholder text after it is literal, so
 *   `$${SECRET:A}` renders `${SECRET:A}` and `$$${SECRET:A}` renders
 *   `$${SECRET:A}`. The escaped placeholder must still be well formed.
 * - `${SECRET:NAME}` or `${SECRET:NAME|FILTER}`, with NAME matching
 *   `^[A-Z][A-Z0-9_]{0,127}$` and FILTER one of `raw json sh url base64`
 *   (filters.ts), is a placeholder.
 * - `${SECRET:` followed by anything else is a MalformedPlaceholderError at
 *   the line and byte column of the `$` that starts it (the escaping `$` for
 *   an escape).
 * - Every other byte, including any other `$`, `$$`, `${…}`, invalid UTF-8 or
 *   binary data, is literal and passes through unchanged.
 *
 * Each placeholder is reported with its escaping (escaping.ts): the filter,
 * or in JSON mode ({@link ScannerOptions.format} `json`) the filter combined
 * with whether the placeholder sits inside a JSON string. In JSON mode a
 * placeholder outside any string without a filter, or right after a
 * backslash inside one, is a MalformedPlaceholderError too.
 *
 * Speed (this is the hot path): literal text is skipped with the native
 * `Uint8Array.prototype.indexOf` for `$` (no per-byte JavaScript loop over
 * it); only the at most 145 bytes of a placeholder are looked at one by one,
 * and the name is hashed while it is validated so the handler can look it up
 * without building a string. In raw mode a handler may take over the search
 * ({@link ScanHandler.fastScan}): pass 1 of a render (record.ts) then lets
 * the WebAssembly core (core.ts) find `$` and record the plain placeholders
 * of known names, and sees only the rest (escapes, filters, new names,
 * malformed or cut constructs), which this file decides as before.
 *
 * JSON mode tracks, over every input byte, whether it is inside a JSON
 * string, but without a per-byte JavaScript loop either: it jumps from `"` to
 * `"` with `indexOf`, decides whether a `"` inside a string is escaped by
 * counting the backslashes right before it (usually none), and brings the
 * state up to date only where a placeholder needs it and at the end of each
 * chunk. Raw mode pays one never-taken branch per placeholder.
 *
 * Memory: a placeholder cut by a chunk boundary is carried over in a copy of
 * at most {@link MAX_CONSTRUCT} - 1 bytes; chunks are never concatenated, so
 * memory stays at one chunk plus one placeholder whatever the input size.
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */
import { MalformedPlaceholderError } from '../errors.ts'
import { ESCAPING, type Escaping, escapingInJsonString, NO_FILTER } from './escaping.ts'
import { FILTER_NAMES } from './filters.ts'
import { NAME_HASH_PRIME, NAME_HASH_SEED } from './name-table.ts'
import { LineTracker, type Locate } from './position.ts'

/** Receives the scanner's events. Byte ranges are valid only during the call. */
export interface ScanHandler {
  /** `buf[start, end)` is literal output (never empty). */
  literal(buf: Uint8Array, start: number, end: number): void
  /**
   * A well-formed `${SECRET:NAME}` or `${SECRET:NAME|FILTER}`: the name is
   * `buf[start, end)`, `hash` is its FNV-1a hash (`hashNameBytes` in
   * name-table.ts), `escaping` what to do to the value (escaping.ts), and
   * `after` the index just past the closing `}` (the construct is
   * `buf[start - 9, after)`). May throw to abort the scan.
   */
  placeholder(buf: Uint8Array, start: number, end: number, hash: number, escaping: Escaping, after: number): void
  /**
   * Optional: an escaping `$` was dropped (the one before `${SECRET:NAME}`).
   * Called after the literal run before it and before the literal run that
   * holds the escaped placeholder text, so a handler that counts bytes
   * (record.ts) sees every input byte exactly once: as literal, as a
   * placeholder (`${SECRET:` + name + `}`), or as a dropped escape.
   */
  escape?(): void
  /**
   * Optional fast path (record.ts with the WebAssembly core, core.ts): raw
   * mode only. `fastBegin(buf)` is called once per buffer scanned; when it
   * returns true, the scanner asks `fastScan(p, literalStart)` instead of
   * `indexOf` for the next `$`. The handler may handle plain placeholders on
   * the way as the two events would (the scanner never sees them), and
   * returns the next `$` it leaves to the scanner, or -1; the pending
   * literal run then starts at `fastLiteral`.
   */
  fastBegin?(buf: Uint8Array): boolean
  fastScan?(p: number, literalStart: number): number
  fastLiteral?: number
}

/** Options of {@link PlaceholderScanner}. */
export interface ScannerOptions {
  /**
   * Computes the position of a malformed placeholder from its absolute byte
   * offset, for callers that can look at the input again (a whole buffer, a
   * file): the scan then never counts newlines. Without it the scanner keeps
   * a running newline count, which costs a pass over every chunk.
   */
  locate?: Locate
  /**
   * `raw` (default): a placeholder's escaping is its filter. `json`: the
   * input is a JSON text; a placeholder inside a JSON string is JSON-escaped
   * (see escaping.ts), and one outside any string needs a filter.
   */
  format?: RenderFormat
}

/** How a body is read: plain text, or a JSON text whose strings get JSON-escaped values. */
export type RenderFormat = 'raw' | 'json'

/** Longest name, in bytes. */
export const MAX_NAME_LENGTH = 128
/** Longest `|FILTER}` after a name: `|base64}`. */
const MAX_FILTER_PART = 1 + Math.max(...FILTER_NAMES.map((f) => f.length)) + 1
/**
 * Bytes needed from an escaping `$` to decide any construct: `$`,
 * `${SECRET:`, 128 name bytes, and `|base64}` (a shorter construct is
 * decided by `}` or by the first byte that makes it invalid, within as many
 * bytes).
 */
export const MAX_CONSTRUCT = 1 + 9 + MAX_NAME_LENGTH + MAX_FILTER_PART

const DOLLAR = 0x24
const LBRACE = 0x7b
const RBRACE = 0x7d
const PIPE = 0x7c
const QUOTE = 0x22
const BACKSLASH = 0x5c
const UNDERSCORE = 0x5f
const DIGIT_0 = 0x30
const DIGIT_9 = 0x39
const UPPER_A = 0x41
const UPPER_Z = 0x5a
/** `${SECRET:` */
const PREFIX = new Uint8Array([0x24, 0x7b, 0x53, 0x45, 0x43, 0x52, 0x45, 0x54, 0x3a])
const PREFIX_LENGTH = PREFIX.length

/** Details of MalformedPlaceholderError, shared with test/render/reference.ts so both report alike. */
export const MALFORMED = {
  unterminated: 'unterminated placeholder at end of input',
  empty: 'empty name: expected ${SECRET:NAME}',
  badStart: 'the name must start with an uppercase letter A-Z',
  badByte: 'the name may hold only A-Z, 0-9 and _, and must end with }',
  tooLong: `the name is longer than ${MAX_NAME_LENGTH} characters`,
  badFilter: `unknown filter: expected |${FILTER_NAMES.join(', |')} after the name, then }`,
  outsideString: 'a placeholder outside any JSON string needs a filter, e.g. |raw (--format json)',
  afterBackslash: 'a placeholder right after a backslash inside a JSON string (--format json)',
} as const

/** Each filter's name and `}`, as bytes, by first letter (every filter starts with a different one). */
const FILTER_TAILS: (Uint8Array | undefined)[] = []
const FILTER_BY_LETTER = new Int8Array(256).fill(-1)
FILTER_NAMES.forEach((f, code) => {
  FILTER_BY_LETTER[f.charCodeAt(0)] = code
  FILTER_TAILS[code] = new TextEncoder().encode(`${f}}`)
})
/** JSON mode: bytes looked at one by one before jumping to the next `"` with indexOf. */
const JSON_SHORT_RUN = 32
/** matchFilter: more input is needed to decide. */
const FILTER_MORE = -2
/** matchFilter: not a filter. */
const FILTER_BAD = -1

const EMPTY = new Uint8Array(0)
/** How many bytes of a new chunk join a carried tail before scanning on in the chunk itself. */
const JOIN = MAX_CONSTRUCT

/** NAME_CLASS value of A-Z; 0-9 and _ are 1; every other byte is 0. */
const UPPER = 2
const NAME_CLASS = new Uint8Array(256)
for (let c = UPPER_A; c <= UPPER_Z; c++) NAME_CLASS[c] = UPPER
for (let c = DIGIT_0; c <= DIGIT_9; c++) NAME_CLASS[c] = 1
NAME_CLASS[UNDERSCORE] = 1

/**
 * Streaming scanner: feed chunks with {@link push}, then call {@link end}.
 * Events arrive synchronously, in input order, during those calls.
 */
export class PlaceholderScanner {
  private readonly handler: ScanHandler
  private readonly locate: Locate
  private readonly tracker: LineTracker | undefined
  /** Undecided tail of the input so far (a copy), at most MAX_CONSTRUCT - 1 bytes. */
  private carry: Uint8Array = EMPTY
  /** Absolute offset of the next byte to be pushed. */
  private offset = 0
  private ended = false
  /** JSON mode. */
  private readonly json: boolean
  // JSON string state, valid at index `jPos` of the buffer being scanned
  // (between scans: at the start of the carried tail, or the next chunk).
  /** Inside a JSON string. */
  private jIn = false
  /** Inside a string, and the byte at `jPos` is escaped by a backslash before it. */
  private jEsc = false
  private jPos = 0
  /** A `"` found by the last jump in the buffer being scanned (its length when none); -1 when none yet. Valid while >= the position it is used from. */
  private jQuote = -1

  constructor(handler: ScanHandler, options: ScannerOptions = {}) {
    this.handler = handler
    this.json = options.format === 'json'
    if (options.locate) {
      this.locate = options.locate
      this.tracker = undefined
    } else {
      this.tracker = new LineTracker()
      this.locate = this.tracker.locate
    }
  }

  /** Bytes pushed so far. */
  get bytesIn(): number {
    return this.offset
  }

  /**
   * Scans the next chunk. The chunk may be reused by the caller afterwards:
   * the scanner keeps only a copy of an undecided tail.
   * @throws MalformedPlaceholderError on a malformed placeholder (the scanner
   *   is then unusable); anything the handler throws.
   */
  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error('PlaceholderScanner: push after end')
    if (chunk.length === 0) return
    const base = this.offset
    this.tracker?.begin(chunk, base)
    const carry = this.carry
    if (carry.length === 0) {
      const stop = this.scan(chunk, 0, base, false)
      this.carry = stop === chunk.length ? EMPTY : chunk.slice(stop)
    } else {
      // Join the carried tail with just enough of the chunk to decide it,
      // in a small scratch copy; then scan on in the chunk itself.
      const take = Math.min(chunk.length, JOIN)
      const joined = new Uint8Array(carry.length + take)
      joined.set(carry, 0)
      joined.set(take === chunk.length ? chunk : chunk.subarray(0, take), carry.length)
      const carryStart = base - carry.length
      const stop = this.scan(joined, 0, carryStart, false)
      if (take === chunk.length) {
        this.carry = stop === joined.length ? EMPTY : joined.subarray(stop)
      } else {
        // JOIN bytes after any carried `$` always decide it, so the scan of
        // `joined` got past the carried part.
        const resume = stop - carry.length
        if (resume < 0) throw new Error('PlaceholderScanner: carried tail left undecided (bug)')
        const stop2 = this.scan(chunk, resume, base, false)
        this.carry = stop2 === chunk.length ? EMPTY : chunk.slice(stop2)
      }
    }
    this.offset = base + chunk.length
    this.tracker?.end()
  }

  /**
   * Ends the input: an undecided tail is now decided (`$` or `${SEC` at the
   * very end are literal; an unterminated `${SECRET:…` is an error).
   * @throws MalformedPlaceholderError on a malformed placeholder.
   */
  end(): void {
    if (this.ended) return
    this.ended = true
    const carry = this.carry
    this.carry = EMPTY
    if (carry.length === 0) return
    // The tracker already counted the chunks the tail came from; the tail
    // itself holds no newline, so its positions need no chunk.
    this.scan(carry, 0, this.offset - carry.length, true)
  }

  /**
   * Scans `buf[from, buf.length)`, whose byte 0 is at absolute offset
   * `base`, emitting events. Returns where the undecided tail starts
   * (`buf.length` when none; always `buf.length` when `final`).
   *
   * Invariant relied on by the escape check: the byte before `from` is never
   * a `$` that could escape a placeholder at `from` (a carried tail starts at
   * such a `$`, and a construct ends with `}`).
   */
  private scan(buf: Uint8Array, from: number, base: number, final: boolean): number {
    const handler = this.handler
    const json = this.json
    const end = buf.length
    if (json) {
      this.jPos = from
      this.jQuote = -1
    }
    let literalStart = from
    let p = from
    let stop = end
    const fast = !json && handler.fastBegin !== undefined && handler.fastBegin(buf)
    for (;;) {
      if (fast) {
        p = handler.fastScan!(p, literalStart)
        literalStart = handler.fastLiteral!
      } else p = buf.indexOf(DOLLAR, p)
      if (p < 0) break
      if (p + 1 >= end) {
        if (!final) stop = p
        break
      }
      // `start` is where `${SECRET:` would begin: here, or after an escaping `$`.
      const next = buf[p + 1]
      let start: number
      if (next === LBRACE) start = p
      else if (next === DOLLAR) start = p + 1
      else {
        p += 1
        continue
      }
      const nameStart = start + PREFIX_LENGTH
      if (nameStart <= end) {
        // Unrolled compare of `{SECRET:` (buf[start] is the `$` already seen).
        if (
          buf[start + 1] !== LBRACE ||
          buf[start + 2] !== 0x53 ||
          buf[start + 3] !== 0x45 ||
          buf[start + 4] !== 0x43 ||
          buf[start + 5] !== 0x52 ||
          buf[start + 6] !== 0x45 ||
          buf[start + 7] !== 0x54 ||
          buf[start + 8] !== 0x3a
        ) {
          p += 1
          continue
        }
      } else if (isPrefixOfOpen(buf, start, end) && !final) {
        stop = p
        break
      } else {
        p += 1
        continue
      }
      // The name: a tight loop that hashes while it checks bytes against a
      // class table; anything unusual is sorted out by nameProblem below.
      let i = nameStart
      let h = NAME_HASH_SEED
      if (i < end && NAME_CLASS[buf[i]!] === UPPER) {
        const limit = Math.min(end, nameStart + MAX_NAME_LENGTH)
        let c = buf[i]!
        do {
          h = Math.imul(h ^ c, NAME_HASH_PRIME)
          i++
        } while (i < limit && NAME_CLASS[(c = buf[i]!)] !== 0)
      }
      // `close` is where the `}` is.
      let close = i
      let filter = NO_FILTER
      if (i === nameStart || i >= end || buf[i] !== RBRACE) {
        let detail: string | undefined
        if (i > nameStart && i < end && buf[i] === PIPE) {
          filter = matchFilter(buf, i + 1, end)
          if (filter >= 0) close = i + 1 + FILTER_TAILS[filter]!.length - 1
          else detail = filter === FILTER_BAD ? MALFORMED.badFilter : final ? MALFORMED.unterminated : undefined
        } else detail = nameProblem(buf, nameStart, i, end, final)
        if (detail !== undefined) {
          const { line, column } = this.locate(base + p)
          throw new MalformedPlaceholderError(line, column, detail)
        }
        if (filter < 0) {
          // Ran out of input inside a construct that is fine so far: wait for more.
          stop = p
          break
        }
      }
      if (start === p) {
        let escaping: Escaping = filter === NO_FILTER ? ESCAPING.raw : (filter as Escaping)
        if (json) {
          this.jsonAdvance(buf, p)
          if (this.jIn) {
            if (this.jEsc) this.contextError(base + p, MALFORMED.afterBackslash)
            escaping = escapingInJsonString(filter)
          } else if (filter === NO_FILTER) this.contextError(base + p, MALFORMED.outsideString)
          // The construct holds no `"` or `\`: the state after it is the state before it.
          this.jPos = close + 1
        }
        if (p > literalStart) handler.literal(buf, literalStart, p)
        handler.placeholder(buf, nameStart, i, h, escaping, close + 1)
        literalStart = close + 1
      } else {
        // An escape: drop the escaping `$`; the placeholder text joins the
        // following literal run, so it costs no event of its own.
        if (p > literalStart) handler.literal(buf, literalStart, p)
        handler.escape?.()
        literalStart = start
      }
      p = close + 1
    }
    if (stop > literalStart) handler.literal(buf, literalStart, stop)
    if (json) this.jsonAdvance(buf, stop)
    return stop
  }

  private contextError(offset: number, detail: string): never {
    const { line, column } = this.locate(offset)
    throw new MalformedPlaceholderError(line, column, detail)
  }

  /**
   * Brings the JSON string state from `jPos` up to `target` (at most
   * `buf.length`) in the buffer being scanned. Two gears: a short byte loop
   * for text dense in quotes and backslashes (typical JSON: a `"` every few
   * bytes, where an `indexOf` call per `"` costs more than looking at the
   * bytes), and past {@link JSON_SHORT_RUN} bytes without either, a jump with
   * `indexOf` to the next `"` (cached, so many placeholders in a long run
   * without quotes cost one search), deciding whether it is escaped by
   * counting the backslashes right before it.
   */
  private jsonAdvance(buf: Uint8Array, target: number): void {
    let i = this.jPos
    let inString = this.jIn
    if (this.jEsc && i < target) i++ // the escaped byte itself
    let esc = this.jEsc && i === this.jPos
    while (i < target) {
      const limit = Math.min(target, i + JSON_SHORT_RUN)
      let c = 0
      while (i < limit && (c = buf[i]!) !== QUOTE && c !== BACKSLASH) i++
      if (i === limit) {
        if (i === target) break
        // A long run: jump to the next `"`. No byte in [i, q) but a `\` run
        // right before q (or before target) can matter, and byte i is not
        // escaped (byte i - 1 is not a backslash).
        let q = this.jQuote
        if (q < i) {
          q = buf.indexOf(QUOTE, i)
          if (q < 0) q = buf.length
          this.jQuote = q
        }
        if (q >= target) {
          esc = inString && isEscaped(buf, i, false, target)
          i = target
          break
        }
        if (!inString) inString = true
        else if (!isEscaped(buf, i, false, q)) inString = false
        i = q + 1
        continue
      }
      if (c === QUOTE) {
        inString = !inString
        i++
      } else if (!inString) i++
      else if (i + 1 === target) {
        // A backslash right before target: the byte at target is escaped.
        esc = true
        i = target
      } else i += 2
    }
    this.jEsc = esc
    this.jIn = inString
    this.jPos = target
  }
}

/**
 * Inside a JSON string whose state at `pos` is known (`escAtPos`: the byte
 * at `pos` is escaped), whether the byte at `at` (>= pos) is escaped: the
 * run of backslashes right before it, counting one more before `pos` when
 * `escAtPos`, is odd.
 */
function isEscaped(buf: Uint8Array, pos: number, escAtPos: boolean, at: number): boolean {
  let k = at
  while (k > pos && buf[k - 1] === BACKSLASH) k--
  const run = at - k + (k === pos && escAtPos ? 1 : 0)
  return (run & 1) === 1
}

/**
 * The filter after `|` at `buf[at, …)`: its code when a filter name and `}`
 * follow, FILTER_BAD when the bytes cannot start one, FILTER_MORE when the
 * input ends before that is decided.
 */
function matchFilter(buf: Uint8Array, at: number, end: number): number {
  if (at >= end) return FILTER_MORE
  const code = FILTER_BY_LETTER[buf[at]!]!
  if (code < 0) return FILTER_BAD
  const tail = FILTER_TAILS[code]!
  for (let k = 1; k < tail.length; k++) {
    if (at + k >= end) return FILTER_MORE
    if (buf[at + k] !== tail[k]) return FILTER_BAD
  }
  return code
}

/**
 * Why the name at `buf[nameStart, …)` is not a complete valid name followed
 * by `}`, given that the fast loop stopped at `i`; undefined when it is fine
 * so far and the input ran out before it could be decided (not final).
 */
function nameProblem(buf: Uint8Array, nameStart: number, i: number, end: number, final: boolean): string | undefined {
  if (i >= end) return final ? MALFORMED.unterminated : undefined
  const c = buf[i]!
  if (i === nameStart) return c === RBRACE ? MALFORMED.empty : MALFORMED.badStart
  if (i - nameStart === MAX_NAME_LENGTH && NAME_CLASS[c] !== 0) return MALFORMED.tooLong
  return MALFORMED.badByte
}

/** Whether `buf[start, end)`, shorter than `${SECRET:`, is a prefix of it. */
function isPrefixOfOpen(buf: Uint8Array, start: number, end: number): boolean {
  for (let k = 0; start + k < end; k++) if (buf[start + k] !== PREFIX[k]) return false
  return true
}
