/**
 * Reference implementation of the placeholder grammar, for tests and the
 * fuzzer only: whole input at once, one byte at a time, written to be
 * obviously right rather than fast. The fast scanner (scanner.ts) must agree
 * with it on every input and every chunking: same output, or the same error
 * with the same line, column and detail.
 *
 * The bytes are viewed as a Latin-1 string (one char per byte, exact for any
 * bytes) so the rules read as plain string tests. The rules, in order, at
 * each position:
 *   1. `$${SECRET:` starts an escape: a valid NAME and `}` must follow; the
 *      output is `${SECRET:NAME}`.
 *   2. `${SECRET:` starts a placeholder: a valid NAME and `}` must follow;
 *      the output is the value of NAME.
 *   3. Anything else: the byte itself.
 */
import { MalformedPlaceholderError, MissingSecretError } from '../../src/errors.ts'
import { MALFORMED, MAX_NAME_LENGTH } from '../../src/render/scanner.ts'

const ESCAPE = '$${SECRET:'
const OPEN = '${SECRET:'

/** Latin-1 view: char code i of the string is byte i. */
function bytesToLatin1(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return s
}

function latin1ToBytes(s: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - before.lastIndexOf('\n')
  return { line, column }
}

/** The name starting at `text[at]`, and where its `}` is; or why it is malformed. */
function readName(text: string, at: number): { name: string; close: number } | { detail: string } {
  const rest = text.slice(at)
  const valid = /^[A-Z][A-Z0-9_]*/.exec(rest)?.[0] ?? ''
  if (valid.length > MAX_NAME_LENGTH) return { detail: MALFORMED.tooLong }
  const after = at + valid.length
  if (after >= text.length) return { detail: MALFORMED.unterminated }
  if (text[after] === '}') {
    if (valid.length === 0) return { detail: MALFORMED.empty }
    return { name: valid, close: after }
  }
  return { detail: valid.length === 0 ? MALFORMED.badStart : MALFORMED.badByte }
}

type Event = { literal: string } | { name: string }

/**
 * The input as a list of events.
 * @throws MalformedPlaceholderError at the first malformed placeholder.
 */
function parse(input: Uint8Array): Event[] {
  const text = bytesToLatin1(input)
  const events: Event[] = []
  let i = 0
  while (i < text.length) {
    const escape = text.startsWith(ESCAPE, i)
    if (escape || text.startsWith(OPEN, i)) {
      const nameAt = i + (escape ? ESCAPE.length : OPEN.length)
      const r = readName(text, nameAt)
      if ('detail' in r) {
        const { line, column } = position(text, i)
        throw new MalformedPlaceholderError(line, column, r.detail)
      }
      events.push(escape ? { literal: `${OPEN}${r.name}}` } : { name: r.name })
      i = r.close + 1
    } else {
      events.push({ literal: text[i]! })
      i++
    }
  }
  return events
}

/**
 * Renders a whole input.
 * @throws MalformedPlaceholderError at the first malformed placeholder (before
 *   any lookup); MissingSecretError for the first name not in `values`.
 */
export function referenceRender(input: Uint8Array, values: ReadonlyMap<string, Uint8Array>): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = []
  for (const e of parse(input)) {
    if ('literal' in e) parts.push(latin1ToBytes(e.literal))
    else {
      const v = values.get(e.name)
      if (v === undefined) throw new MissingSecretError(e.name)
      parts.push(v)
    }
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/**
 * The distinct names used, in first-seen order (escapes are not uses).
 * @throws MalformedPlaceholderError at the first malformed placeholder.
 */
export function referenceNames(input: Uint8Array): string[] {
  const names: string[] = []
  for (const e of parse(input)) if ('name' in e && !names.includes(e.name)) names.push(e.name)
  return names
}
