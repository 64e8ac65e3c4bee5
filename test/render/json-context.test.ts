/**
 * The JSON context against a real JSON parser: a valid JSON template (any
 * structure, placeholders anywhere inside strings and keys, next to escapes
 * such as `\\` and `\"`, with or without filters, escaped placeholders, and
 * `|raw` placeholders for numbers outside strings) renders, whatever the
 * values (quotes, backslashes, control characters, U+2028/U+2029, astral
 * characters) and whatever the chunking, to JSON that JSON.parse reads back
 * as exactly the intended strings. Also: the refusals, with positions.
 */
import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { MalformedPlaceholderError } from '../../src/errors.ts'
import { applyFilterToString, type FilterName } from '../../src/render/filters.ts'
import { PositionRecorder } from '../../src/render/record.ts'
import { RecordReplayer } from '../../src/render/replay.ts'
import { renderString } from '../../src/render/render.ts'
import { MALFORMED, PlaceholderScanner } from '../../src/render/scanner.ts'
import { cases, depthTimeout } from '../helpers/depth.ts'
import { bytes, cut, dec, join, substituteChunks, valueMap } from './helpers.ts'

/** A piece of a template string: literal text, a placeholder (with a filter or none), or an escaped placeholder. */
type Segment = { text: string } | { name: string; filter: FilterName | undefined } | { escaped: string }
type Node =
  | { kind: 'string'; segments: Segment[] }
  | { kind: 'number'; n: number }
  | { kind: 'rawNumber' }
  | { kind: 'literal'; value: boolean | null }
  | { kind: 'array'; items: Node[] }
  | { kind: 'object'; entries: [Node & { kind: 'string' }, Node][] }

const NAMES = ['V0', 'V1', 'V2', 'V3']
/** Holds a number: `${SECRET:NUM|raw}` outside any string. */
const NUM = 'NUM'

const specialChar = fc.constantFrom('"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u0001', '\u001f', '\u007f', '\u2028', '\u2029', '🙂', '𝄞', "'", '$', '{', '}', '/', 'é', '漢', ' ')
const anyChar = fc.oneof(
  fc.integer({ min: 0, max: 0xd7ff }),
  fc.integer({ min: 0xe000, max: 0x10ffff }),
).map((cp) => String.fromCodePoint(cp))
const unicodeText = (maxLength: number) =>
  fc.array(fc.oneof({ weight: 3, arbitrary: specialChar }, { weight: 1, arbitrary: anyChar }), { maxLength }).map((a) => a.join(''))

const segment: fc.Arbitrary<Segment> = fc.oneof(
  // Literal text never holds `${SECRET:` itself (it would be a placeholder,
  // not text), nor ends with `$` (before a placeholder, that is an escape).
  { weight: 3, arbitrary: unicodeText(6).filter((t) => !t.includes('${SECRET:') && !t.endsWith('$')).map((text) => ({ text })) },
  // Runs of more than 32 bytes without `"` or `\`, so the scanner's jump with indexOf is taken too.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 30, max: 90 }), unicodeText(4))
      .filter(([, t]) => !t.includes('${SECRET:') && !t.endsWith('$'))
      .map(([n, t]) => ({ text: 'x'.repeat(n) + t })),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...NAMES), fc.constantFrom<FilterName | undefined>(undefined, undefined, 'json', 'sh', 'url', 'base64'))
      .map(([name, filter]) => ({ name, filter })),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom('', '|raw', '|json', '|sh')).map(([n, f]) => ({ escaped: `${n}${f}` })) },
)
const stringNode = fc.array(segment, { maxLength: 6 }).map((segments) => ({ kind: 'string' as const, segments }))

const { node } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    stringNode,
    fc.integer({ min: -1e6, max: 1e6 }).map((n) => ({ kind: 'number' as const, n })),
    fc.constant({ kind: 'rawNumber' as const }),
    fc.constantFrom(true, false, null).map((value) => ({ kind: 'literal' as const, value })),
    fc.array(tie('node'), { maxLength: 4 }).map((items) => ({ kind: 'array' as const, items })),
    fc.array(fc.tuple(stringNode, tie('node')), { maxLength: 4 }).map((entries) => ({ kind: 'object' as const, entries })),
  ),
}))

const space = fc.constantFrom('', '', ' ', '\n', '\r\n  ', '\t')

/** The template text of a node (JSON, with placeholders inside strings and `|raw` numbers). */
function template(n: Node, ws: () => string): string {
  switch (n.kind) {
    case 'string':
      return `"${n.segments
        .map((s) => ('text' in s ? JSON.stringify(s.text).slice(1, -1) : 'name' in s ? `\${SECRET:${s.name}${s.filter ? `|${s.filter}` : ''}}` : `$\${SECRET:${s.escaped}}`))
        .join('')}"`
    case 'number':
      return String(n.n)
    case 'rawNumber':
      return `\${SECRET:${NUM}|raw}`
    case 'literal':
      return String(n.value)
    case 'array':
      return `[${ws()}${n.items.map((i) => template(i, ws)).join(`,${ws()}`)}${ws()}]`
    case 'object':
      return `{${ws()}${n.entries.map(([k, v]) => `${template(k, ws)}${ws()}:${ws()}${template(v, ws)}`).join(`,${ws()}`)}${ws()}}`
  }
}

/** What the rendered JSON must parse to. */
function intended(n: Node, values: Record<string, string>): unknown {
  switch (n.kind) {
    case 'string':
      return n.segments
        // No filter or |json: the string holds the value itself; another filter: its output.
        .map((s) => ('text' in s ? s.text : 'name' in s ? applyFilterToString(s.filter === 'json' ? 'raw' : (s.filter ?? 'raw'), values[s.name]!) : `\${SECRET:${s.escaped}}`))
        .join('')
    case 'number':
      return n.n
    case 'rawNumber':
      return Number(values[NUM])
    case 'literal':
      return n.value
    case 'array':
      return n.items.map((i) => intended(i, values))
    case 'object': {
      const o: Record<string, unknown> = {}
      // defineProperty: a key like "__proto__" is an own property in JSON.parse's result too.
      for (const [k, v] of n.entries) Object.defineProperty(o, intended(k, values) as string, { value: intended(v, values), enumerable: true, writable: true, configurable: true })
      return o
    }
  }
}

const caseArb = fc.record({
  tree: node,
  spaces: fc.array(space, { minLength: 1, maxLength: 16 }),
  values: fc.record(Object.fromEntries(NAMES.map((n) => [n, unicodeText(12).filter((v) => v.length > 0)]))) as fc.Arbitrary<Record<string, string>>,
  num: fc.integer({ min: -1e9, max: 1e9 }),
  offsets: fc.array(fc.nat(), { maxLength: 8 }),
  single: fc.boolean(),
})

/** The two-pass render (what renderFile runs) over the chunks, with tiny buffers. */
function twoPass(chunks: Uint8Array[], values: Map<string, Uint8Array>): Uint8Array {
  const batches: Int32Array[] = []
  const recorder = new PositionRecorder({ capacity: 2, onFull: (r) => batches.push(r.slice()) })
  const scanner = new PlaceholderScanner(recorder, { format: 'json' })
  for (const c of chunks) scanner.push(c)
  scanner.end()
  batches.push(recorder.pending().slice())
  let k = 0
  const out: Uint8Array[] = []
  const replayer = new RecordReplayer(recorder.names, values, () => batches[k++], (b) => out.push(b.slice()), {
    chunkSize: 7,
    outSize: 11,
    variants: recorder.variants,
  })
  const input = join(chunks)
  for (let at = 0; at < input.length; at += 7) {
    const piece = input.subarray(at, at + 7)
    replayer.input.set(piece)
    replayer.push(piece.length)
  }
  replayer.end()
  return join(out)
}

describe('--format json renders a valid JSON template to valid JSON, whatever the values', () => {
  test('random templates, values and chunkings, parsed back with JSON.parse (1,500 cases x TEST_DEPTH)', async () => {
    let placeholders = 0
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ tree, spaces, values, num, offsets, single }) => {
        let w = 0
        const text = template(tree, () => spaces[w++ % spaces.length]!)
        // The template itself is JSON once its placeholders are taken as text.
        const all = { ...values, [NUM]: String(num) }
        const want = intended(tree, all)
        const body = bytes(text)
        const cuts = single ? Array.from({ length: body.length - 1 }, (_, i) => i + 1) : offsets.map((o) => o % (body.length + 1)).sort((a, b) => a - b)
        const chunks = cut(body, cuts)
        const map = valueMap(all)
        const streamed = substituteChunks(chunks, map, 'json')
        if (!('ok' in streamed)) throw new Error(`render failed: ${JSON.stringify(streamed)}`)
        expect(JSON.parse(dec.decode(streamed.ok))).toEqual(want)
        expect(twoPass(chunks, map)).toEqual(streamed.ok)
        expect(await renderString(text, async () => map, { format: 'json' })).toBe(dec.decode(streamed.ok))
        placeholders += text.split('${SECRET:').length - 1
      }),
      { numRuns: cases(1_500) },
    )
    expect(placeholders).toBeGreaterThan(cases(1_500))
  }, depthTimeout())
})

describe('the JSON context', () => {
  const values = valueMap({ A: 'a"b\\c\n\u2028', N: '42' })
  const render = (body: string) => renderString(body, async () => values, { format: 'json' })
  const refusal = async (body: string) => {
    try {
      await render(body)
    } catch (err) {
      if (err instanceof MalformedPlaceholderError) return { line: err.line, column: err.column, message: err.message }
      throw err
    }
    throw new Error('expected a refusal')
  }

  test('inside a string the value is JSON-escaped; |raw inserts it as it is; outside, a filter applies as it is', async () => {
    expect(await render('{"a": "${SECRET:A}", "n": ${SECRET:N|raw}}')).toBe('{"a": "a\\"b\\\\c\\n\\u2028", "n": 42}')
    expect(await render('["${SECRET:N|raw}", "${SECRET:A|json}"]')).toBe('["42", "a\\"b\\\\c\\n\\u2028"]')
  })

  test('|sh inside a string is JSON-escaped on top, so the string parses to the shell word', async () => {
    const out = await render('{"cmd": "run ${SECRET:A|sh}"}')
    expect(JSON.parse(out)).toEqual({ cmd: `run 'a"b\\c\n\u2028'` })
  })

  test('backslashes before a placeholder: an escaped backslash is fine, a lone one is refused', async () => {
    expect(JSON.parse(await render('["\\\\${SECRET:N}", "\\"${SECRET:N}"]'))).toEqual(['\\42', '"42'])
    expect(await refusal('{"a":\n  "x\\${SECRET:A}"}')).toEqual({ line: 2, column: 6, message: `malformed placeholder at line 2, column 6: ${MALFORMED.afterBackslash}` })
  })

  test('a placeholder outside any string without a filter is refused with its line and column, before anything is resolved', async () => {
    let resolved = false
    const err = await renderString('{"a": "ok",\n "b": ${SECRET:A}}', async () => ((resolved = true), values), { format: 'json' }).catch((e) => e)
    expect(err).toBeInstanceOf(MalformedPlaceholderError)
    expect({ line: err.line, column: err.column }).toEqual({ line: 2, column: 7 })
    expect(err.message).toContain(MALFORMED.outsideString)
    expect(resolved).toBe(false)
    // After a closed string: outside again. An escaped quote does not close it.
    expect((await refusal('["\\\\" ${SECRET:A}]')).column).toBe(7)
    expect(JSON.parse(await render('["\\" ${SECRET:N}"]'))).toEqual(['" 42'])
  })

  test('after more than 32 bytes without quotes or backslashes (the indexOf jump) backslashes still count, at any cut', () => {
    const run = 'x'.repeat(40)
    const lone = bytes(`["${run}\\\${SECRET:A}"]`)
    const pair = bytes(`["${run}\\\\\${SECRET:N}", "${run}\\"${run}\${SECRET:N}"]`)
    const refused = { malformed: { line: 1, column: 44, message: `malformed placeholder at line 1, column 44: ${MALFORMED.afterBackslash}` } }
    for (let i = 0; i <= pair.length; i++) {
      if (i <= lone.length) expect(substituteChunks(cut(lone, [i]), values, 'json')).toEqual(refused)
      const out = substituteChunks(cut(pair, [i]), values, 'json')
      expect(JSON.parse(dec.decode((out as { ok: Uint8Array }).ok))).toEqual([`${run}\\42`, `${run}"${run}42`])
    }
  })

  test('the string state is carried across chunk boundaries, including a backslash at the end of a chunk', () => {
    const body = bytes('["a\\\\", "b\\"${SECRET:A}", ${SECRET:N|raw}]')
    const whole = substituteChunks([body], values, 'json')
    expect(JSON.parse(dec.decode((whole as { ok: Uint8Array }).ok))).toEqual(['a\\', 'b"a"b\\c\n\u2028', 42])
    for (let i = 0; i <= body.length; i++) {
      for (let j = i; j <= body.length; j++) expect(substituteChunks(cut(body, [i, j]), values, 'json')).toEqual(whole)
    }
  })

  test('raw mode is unchanged: no context, a placeholder anywhere gets its filter or nothing', async () => {
    expect(await renderString('{"a": "${SECRET:A}", "n": ${SECRET:N}}', async () => values)).toBe('{"a": "a"b\\c\n\u2028", "n": 42}')
  })
})
