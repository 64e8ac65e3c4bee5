/**
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
 * - `${SECRET:NAME}` with NAME matching `^[A-Z][A-Z0-9_]{0,127}$` is a
 *   placeholder.
 * - `${SECRET:` followed by anything else is a MalformedPlaceholderError at
 *   the line and byte column of the `$` that starts it (the escaping `$` for
 *   an escape).
 * - Every other byte, including any other `$`, `$$`, `${…}`, invalid UTF-8 or
 *   binary data, is literal and passes through unchanged.
 *
 * Speed (this is the hot path): literal text is skipped with the native
 * `Uint8Array.prototype.indexOf` for `$` (no per-byte JavaScript loop over
 * it); only the at most 138 bytes of a placeholder are looked at one by one,
 * and the name is hashed while it is validated so the handler can look it up
 * without building a string.
 *
 * Memory: a placeholder cut by a chunk boundary is carried over in a copy of
 * at most {@link MAX_CONSTRUCT} - 1 bytes; chunks are never concatenated, so
 * memory stays at one chunk plus one placeholder whatever the input size.
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */
import { MalformedPlaceholderError } from '../errors.ts'
import { NAME_HASH_PRIME, NAME_HASH_SEED } from './name-table.ts'
import { LineTracker, type Locate } from './position.ts'

/** Receives the scanner's events. Byte ranges are valid only during the call. */
export interface ScanHandler {
  /** `buf[start, end)` is literal output (never empty). */
  literal(buf: Uint8Array, start: number, end: number): void
  /**
   * A well-formed `${SECRET:NAME}`: the name is `buf[start, end)` and `hash`
   * is its FNV-1a hash (`hashNameBytes` in name-table.ts). May throw to abort
   * the scan.
   */
  placeholder(buf: Uint8Array, start: number, end: number, hash: number): void
  /**
   * Optional: an escaping `$` was dropped (the one before `${SECRET:NAME}`).
   * Called after the literal run before it and before the literal run that
   * holds the escaped placeholder text, so a handler that counts bytes
   * (record.ts) sees every input byte exactly once: as literal, as a
   * placeholder (`${SECRET:` + name + `}`), or as a dropped escape.
   */
  escape?(): void
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
}

/** Longest name, in bytes. */
export const MAX_NAME_LENGTH = 128
/**
 * Bytes needed from an escaping `$` to decide any construct: `$`,
 * `${SECRET:`, 128 name bytes, and one more (`}` or the byte that makes the
 * name invalid or too long).
 */
export const MAX_CONSTRUCT = 1 + 9 + MAX_NAME_LENGTH + 1

const DOLLAR = 0x24
const LBRACE = 0x7b
const RBRACE = 0x7d
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
} as const

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

  constructor(handler: ScanHandler, options: ScannerOptions = {}) {
    this.handler = handler
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
    const end = buf.length
    let literalStart = from
    let p = from
    let stop = end
    for (;;) {
      p = buf.indexOf(DOLLAR, p)
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
      if (i === nameStart || i >= end || buf[i] !== RBRACE) {
        const detail = nameProblem(buf, nameStart, i, end, final)
        if (detail !== undefined) {
          const { line, column } = this.locate(base + p)
          throw new MalformedPlaceholderError(line, column, detail)
        }
        // Ran out of input inside a name that is fine so far: wait for more.
        stop = p
        break
      }
      if (p > literalStart) handler.literal(buf, literalStart, p)
      if (start === p) {
        handler.placeholder(buf, nameStart, i, h)
        literalStart = i + 1
      } else {
        // An escape: drop the escaping `$`; the placeholder text joins the
        // following literal run, so it costs no event of its own.
        handler.escape?.()
        literalStart = start
      }
      p = i + 1
    }
    if (stop > literalStart) handler.literal(buf, literalStart, stop)
    return stop
  }
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
