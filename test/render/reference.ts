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
 *   1. `$${SECRET:` starts an escape: a valid NAME, an optional `|FILTER`
 *      and `}` must follow; the output is the text after the first `$`.
 *   2. `${SECRET:` starts a placeholder: a valid NAME, an optional
 *      `|FILTER` and `}` must follow; the output is the value of NAME,
 *      escaped as the filter and (in JSON mode) the JSON context say.
 *   3. Anything else: the byte itself.
 *
 * JSON mode: a three-state machine (outside a string, inside, inside right
 * after a backslash) steps over every input byte, one at a time. The
 * filters are restated with the platform's own encoders (JSON.stringify,
 * encodeURIComponent, btoa), not with the byte tables of filters.ts.
 */
import { MalformedPlaceholderError, MissingSecretError } from '../../src/errors.ts'
import { MALFORMED, MAX_NAME_LENGTH, type RenderFormat } from '../../src/render/scanner.ts'

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

const FILTERS = ['raw', 'json', 'sh', 'url', 'base64'] as const
type Filter = (typeof FILTERS)[number]

/** The name starting at `text[at]`, its filter, and where its `}` is; or why it is malformed. */
function readName(text: string, at: number): { name: string; filter: Filter | undefined; close: number } | { detail: string } {
  const rest = text.slice(at)
  const valid = /^[A-Z][A-Z0-9_]*/.exec(rest)?.[0] ?? ''
  if (valid.length > MAX_NAME_LENGTH) return { detail: MALFORMED.tooLong }
  const after = at + valid.length
  if (after >= text.length) return { detail: MALFORMED.unterminated }
  if (text[after] === '}') {
    if (valid.length === 0) return { detail: MALFORMED.empty }
    return { name: valid, filter: undefined, close: after }
  }
  if (text[after] === '|' && valid.length > 0) {
    const tail = text.slice(after + 1)
    const filter = FILTERS.find((f) => tail.startsWith(`${f}}`))
    if (filter !== undefined) return { name: valid, filter, close: after + 1 + filter.length }
    // The input ends inside what could still become a filter and `}`.
    if (FILTERS.some((f) => `${f}}`.startsWith(tail))) return { detail: MALFORMED.unterminated }
    return { detail: MALFORMED.badFilter }
  }
  return { detail: valid.length === 0 ? MALFORMED.badStart : MALFORMED.badByte }
}

/** What a placeholder's value goes through: a filter, and whether JSON escaping follows it. */
interface Escape {
  filter: Filter
  thenJson: boolean
}

type Event = { literal: string } | { name: string; escape: Escape }

type JsonState = 'outside' | 'inside' | 'afterBackslash'

/** The JSON string state after the byte `c`, from `state`. */
function stepJson(state: JsonState, c: string): JsonState {
  if (state === 'outside') return c === '"' ? 'inside' : 'outside'
  if (state === 'afterBackslash') return 'inside'
  if (c === '\\') return 'afterBackslash'
  return c === '"' ? 'outside' : 'inside'
}

/**
 * The escaping of a placeholder with `filter`, in `state` (JSON mode), or
 * why the JSON context refuses it.
 */
function jsonEscape(state: JsonState, filter: Filter | undefined): Escape | { detail: string } {
  if (state === 'outside') return filter === undefined ? { detail: MALFORMED.outsideString } : { filter, thenJson: false }
  if (state === 'afterBackslash') return { detail: MALFORMED.afterBackslash }
  if (filter === undefined) return { filter: 'json', thenJson: false }
  return { filter, thenJson: filter !== 'raw' && filter !== 'json' }
}

/**
 * The input as a list of events.
 * @throws MalformedPlaceholderError at the first malformed placeholder (or,
 *   in JSON mode, the first placeholder the JSON context refuses).
 */
function parse(input: Uint8Array, format: RenderFormat = 'raw'): Event[] {
  const text = bytesToLatin1(input)
  const events: Event[] = []
  let state: JsonState = 'outside'
  const fail = (at: number, detail: string): never => {
    const { line, column } = position(text, at)
    throw new MalformedPlaceholderError(line, column, detail)
  }
  let i = 0
  while (i < text.length) {
    const escape = text.startsWith(ESCAPE, i)
    let next: number
    if (escape || text.startsWith(OPEN, i)) {
      const nameAt = i + (escape ? ESCAPE.length : OPEN.length)
      const r = readName(text, nameAt)
      if ('detail' in r) fail(i, r.detail)
      const { name, filter, close } = r as { name: string; filter: Filter | undefined; close: number }
      if (escape) events.push({ literal: text.slice(i + 1, close + 1) })
      else if (format === 'raw') events.push({ name, escape: { filter: filter ?? 'raw', thenJson: false } })
      else {
        const e = jsonEscape(state, filter)
        if ('detail' in e) fail(i, e.detail)
        events.push({ name, escape: e as Escape })
      }
      next = close + 1
    } else {
      events.push({ literal: text[i]! })
      next = i + 1
    }
    for (; i < next; i++) state = stepJson(state, text[i]!)
  }
  return events
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const utf8Encoder = new TextEncoder()

/** The reference filters, over bytes (values are well-formed UTF-8 for `json`). */
export const referenceFilters: Record<Filter, (value: Uint8Array) => Uint8Array> = {
  raw: (v) => v,
  json: (v) =>
    utf8Encoder.encode(
      JSON.stringify(utf8.decode(v))
        .slice(1, -1)
        .replaceAll('\u2028', '\\u2028')
        .replaceAll('\u2029', '\\u2029'),
    ),
  sh: (v) => latin1ToBytes(`'${bytesToLatin1(v).replaceAll("'", "'\\''")}'`),
  url: (v) =>
    // encodeURIComponent keeps !'()* as well, which RFC 3986 reserves; on a
    // Latin-1 view it would encode each byte as UTF-8, so decode first.
    utf8Encoder.encode(encodeURIComponent(utf8.decode(v)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)),
  base64: (v) => latin1ToBytes(btoa(bytesToLatin1(v))),
}

function applyEscape(e: Escape, value: Uint8Array): Uint8Array {
  const filtered = referenceFilters[e.filter](value)
  return e.thenJson ? referenceFilters.json(filtered) : filtered
}

/**
 * Renders a whole input.
 * @throws MalformedPlaceholderError at the first malformed placeholder (before
 *   any lookup); MissingSecretError for the first name not in `values`.
 */
export function referenceRender(
  input: Uint8Array,
  values: ReadonlyMap<string, Uint8Array>,
  format: RenderFormat = 'raw',
): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = []
  for (const e of parse(input, format)) {
    if ('literal' in e) parts.push(latin1ToBytes(e.literal))
    else {
      const v = values.get(e.name)
      if (v === undefined) throw new MissingSecretError(e.name)
      parts.push(applyEscape(e.escape, v))
    }
  }
  return new Uint8Array(Buffer.concat(parts))
}

/**
 * The distinct names used, in first-seen order (escapes are not uses).
 * @throws MalformedPlaceholderError at the first malformed placeholder.
 */
export function referenceNames(input: Uint8Array, format: RenderFormat = 'raw'): string[] {
  const names: string[] = []
  for (const e of parse(input, format)) if ('name' in e && !names.includes(e.name)) names.push(e.name)
  return names
}

/**
 * The escaping of every placeholder in order, as `secrets render --check`
 * labels it (`raw`, `json`, `sh`, `url`, `base64`, `sh+json`).
 * @throws MalformedPlaceholderError as {@link referenceNames}.
 */
export function referenceEscapings(input: Uint8Array, format: RenderFormat = 'raw'): string[] {
  const out: string[] = []
  // `url` and `base64` output is JSON-safe, so their JSON escaping changes nothing and is not named.
  for (const e of parse(input, format)) if ('name' in e) out.push(e.escape.thenJson && e.escape.filter === 'sh' ? 'sh+json' : e.escape.filter)
  return out
}
