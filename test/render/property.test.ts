/**
 * Randomized agreement with the reference implementation: inputs rich in
 * `$`, braces, `SECRET:`, valid and invalid names and filters, partial
 * placeholders, quotes and backslashes, multibyte UTF-8 and invalid bytes,
 * cut into random chunks (1-byte chunks and cuts inside placeholders
 * included), rendered with `--format raw` and `--format json`, must give
 * exactly the reference's output, or the same error at the same line and
 * column.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { MissingSecretError } from '../../src/errors.ts'
import { PositionRecorder } from '../../src/render/record.ts'
import { referenceNames } from './reference.ts'
import { MALFORMED, PlaceholderScanner, type RenderFormat } from '../../src/render/scanner.ts'
import { renderStream } from '../../src/render/render.ts'
import { cases, depthTimeout } from '../helpers/depth.ts'
import { bytes, cut, join, namesOfChunks, outcomeOf, readStream, streamReference, substituteChunks, replayRecords, twoPassReference, valueMap, type Outcome } from './helpers.ts'
import { setRenderCoreEnabled } from '../../src/render/core.ts'

// The WebAssembly core (src/render/core.ts) runs on chunks of any size here, so these tests cover it too.
beforeAll(() => {
  setRenderCoreEnabled(true, 1)
})
afterAll(() => {
  setRenderCoreEnabled(true)
})

const LONG = 'L'.repeat(128)
const KNOWN = { A: 'va', FOO: '${SECRET:A}', FOO_1: 'é', B9_: '$', [LONG]: 'long', Q: `a"b\\c'd\n\u0001\u2028🙂` }
const VALUES = valueMap(KNOWN)
const VALID_NAMES = ['A', 'FOO', 'FOO_1', 'B9_', LONG, 'MISSING', 'Z', 'Q']
const INVALID_NAMES = ['', 'a', 'foo', '1A', '_A', 'Ab', 'A-B', 'A B', 'A\n', 'É', `${LONG}L`, 'A:B']
const FILTERS = ['', '|raw', '|json', '|sh', '|url', '|base64']
const BAD_FILTERS = ['|', '|js', '|JSON', '|base65', '|json|sh', '|sh ', '|r', '|base6']
const FORMATS: RenderFormat[] = ['raw', 'json']

const text = (s: string) => fc.constant(bytes(s))
const validName = fc.tuple(fc.constantFrom(...VALID_NAMES), fc.constantFrom(...FILTERS)).map(([n, f]) => n + f)
const token: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: validName.map((n) => bytes(`\${SECRET:${n}}`)) },
  { weight: 3, arbitrary: validName.map((n) => bytes(`$\${SECRET:${n}}`)) },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID_NAMES).map((n) => bytes(`\${SECRET:${n}}`)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...VALID_NAMES), fc.constantFrom(...BAD_FILTERS)).map(([n, f]) => bytes(`\${SECRET:${n}${f}}`)) },
  { weight: 1, arbitrary: fc.constantFrom(...VALID_NAMES, ...INVALID_NAMES).map((n) => bytes(`\${SECRET:${n}`)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...VALID_NAMES), fc.constantFrom(...FILTERS, ...BAD_FILTERS)).map(([n, f]) => bytes(`\${SECRET:${n}${f}`)) },
  // JSON strings and escapes, so placeholders land inside and outside strings and after backslashes.
  { weight: 6, arbitrary: fc.constantFrom('"', '"', '\\', '\\\\', '\\"', '"\\', ': "', '", ').map(bytes) },
  {
    weight: 8,
    arbitrary: fc.oneof(
      text('$'),
      text('$$'),
      text('{'),
      text('}'),
      text('${'),
      text('${SECRET'),
      text('${SECRET:'),
      text('$${SECRET:'),
      text('SECRET:'),
      text('${{ x }}'),
      text('$HOME'),
      text('x'.repeat(40)),
    ),
  },
  { weight: 4, arbitrary: fc.constantFrom(...VALID_NAMES, ...INVALID_NAMES).map(bytes) },
  { weight: 4, arbitrary: fc.oneof(text('\n'), text('\r\n'), text('é'), text('漢'), text('🙂'), text(' '), text('x')) },
  { weight: 2, arbitrary: fc.constantFrom(0xff, 0xfe, 0xc3, 0x80, 0x00, 0xe2).map((b) => new Uint8Array([b])) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 8 }) },
)

const input = fc.array(token, { maxLength: 24 }).map(join)

/**
 * Longer inputs, so a carried placeholder meets chunks longer than one
 * construct; mostly well formed and with known names, so most render fully.
 */
const wellFormedToken: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...Object.keys(KNOWN)).map((n) => bytes(`"\${SECRET:${n}}"`)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...Object.keys(KNOWN)), fc.constantFrom(...FILTERS.slice(1))).map(([n, f]) => bytes(`\${SECRET:${n}${f}}`)) },
  { weight: 3, arbitrary: validName.map((n) => bytes(`$\${SECRET:${n}}`)) },
  { weight: 1, arbitrary: token },
  { weight: 8, arbitrary: fc.oneof(text('$'), text('$$'), text('${SECRET'), text('${{ x }}'), text('é'), text('\n'), text('abc'), text('"\\\\"'), text('"\\"x"')) },
)
const longInput = fc.array(wellFormedToken, { minLength: 40, maxLength: 160 }).map(join)

/** An input and how to cut it: random offsets, or every byte on its own. */
const cutInput = cutOf(input)
const cutLongInput = cutOf(longInput)

function cutOf(inputs: fc.Arbitrary<Uint8Array>) {
  return fc
  .tuple(inputs, fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), fc.constantFrom(...FORMATS))
  .map(([b, raw, single, format]) => {
    const offsets = single ? Array.from({ length: b.length }, (_, i) => i + 1).slice(0, -1) : raw.map((r) => r % (b.length + 1)).sort((x, y) => x - y)
    return { input: b, chunks: cut(b, offsets), format }
  })
}

function reference(run: () => string[]): unknown {
  try {
    return run()
  } catch (err) {
    return outcomeOf(err)
  }
}


/**
 * The two-pass render with position records (what renderFile runs): pass 1
 * records over `chunks` with a small record buffer (so batches are spilled),
 * pass 2 copies over a different chunking with a small output buffer. Like
 * renderString: a malformed placeholder anywhere wins; then every name the
 * value map lacks is reported at once; else the output.
 */
function recordRender(chunks: Uint8Array[], format: RenderFormat, capacity: number, replayChunk: number, outSize: number): Outcome {
  const batches: Int32Array[] = []
  const recorder = new PositionRecorder({ capacity, onFull: (r) => batches.push(r.slice()) })
  const scanner = new PlaceholderScanner(recorder, { format })
  try {
    for (const chunk of chunks) {
      const reused = chunk.slice()
      scanner.push(reused)
      reused.fill(0x24)
    }
    scanner.end()
    return { ok: replayRecords(recorder, batches, VALUES, join(chunks), replayChunk, outSize) }
  } catch (err) {
    return outcomeOf(err)
  }
}


const recordCase = fc.tuple(fc.oneof(cutInput, cutLongInput), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }))

describe('scanner agrees with the reference implementation', () => {
  test('two passes with position records, random chunks and buffer sizes (6,000 cases x TEST_DEPTH)', () => {
    let rendered = 0
    let missing = 0
    let jsonRendered = 0
    fc.assert(
      fc.property(recordCase, ([{ input: b, chunks, format }, capacity, replayChunk, outSize]) => {
        const out = recordRender(chunks, format, capacity, replayChunk, outSize)
        expect(out).toEqual(twoPassReference(b, VALUES, format))
        if ('ok' in out) rendered++
        if ('ok' in out && format === 'json' && out.ok.length > 0) jsonRendered++
        if ('missing' in out) missing++
      }),
      { numRuns: cases(6_000) },
    )
    expect(rendered).toBeGreaterThan(1000)
    expect(jsonRendered).toBeGreaterThan(300)
    expect(missing).toBeGreaterThan(300)
  }, depthTimeout())

  test('names pass and substitution, random inputs and random chunks (10,000 cases x TEST_DEPTH)', () => {
    let malformed = 0
    let rendered = 0
    const byDetail = new Map<string, number>()
    fc.assert(
      fc.property(cutInput, ({ input: b, chunks, format }) => {
        const refNames = reference(() => referenceNames(b, format))
        const names = namesOfChunks(chunks, format)
        expect(Array.isArray(refNames) ? { names: refNames } : refNames).toEqual(names)
        // The substituter is single-pass, like a stream: first problem in input order.
        const out = substituteChunks(chunks, VALUES, format)
        expect(out).toEqual(streamReference(b, VALUES, format))
        if ('malformed' in out) {
          malformed++
          const detail = out.malformed.message.replace(/^malformed placeholder at line \d+, column \d+: /, '')
          byDetail.set(detail, (byDetail.get(detail) ?? 0) + 1)
        }
        if ('ok' in out) rendered++
      }),
      { numRuns: cases(10_000) },
    )
    // The generator must exercise both outcomes substantially, and every
    // kind of malformed placeholder, the JSON context's included.
    expect(malformed).toBeGreaterThan(1000)
    expect(rendered).toBeGreaterThan(1000)
    for (const detail of Object.values(MALFORMED)) expect(byDetail.get(detail) ?? 0).toBeGreaterThan(cases(10_000) / 1000)
  }, depthTimeout())

  test('long inputs in few chunks (2,000 cases x TEST_DEPTH)', () => {
    let rendered = 0
    fc.assert(
      fc.property(cutLongInput, ({ input: b, chunks, format }) => {
        const refNames = reference(() => referenceNames(b, format))
        expect(Array.isArray(refNames) ? { names: refNames } : refNames).toEqual(namesOfChunks(chunks, format))
        const out = substituteChunks(chunks, VALUES, format)
        expect(out).toEqual(streamReference(b, VALUES, format))
        if ('ok' in out) rendered++
      }),
      { numRuns: cases(2_000) },
    )
    expect(rendered).toBeGreaterThan(500)
  }, depthTimeout())

  test('renderStream, random inputs and random chunks (1,500 cases x TEST_DEPTH)', async () => {
    await fc.assert(
      fc.asyncProperty(cutInput, async ({ input: b, chunks, format }) => {
        const resolved: string[] = []
        const stream = renderStream(
          new ReadableStream<Uint8Array>({
            start(c) {
              for (const chunk of chunks) c.enqueue(chunk)
              c.close()
            },
          }),
          async (name) => {
            resolved.push(name)
            const v = VALUES.get(name)
            if (v === undefined) throw new MissingSecretError(name)
            return v
          },
          { format },
        )
        let outcome: Outcome
        try {
          outcome = { ok: await readStream(stream) }
        } catch (err) {
          outcome = outcomeOf(err)
        }
        expect(outcome).toEqual(streamReference(b, VALUES, format))
        // Each name is resolved at most once per render.
        expect(new Set(resolved).size).toBe(resolved.length)
      }),
      { numRuns: cases(1_500) },
    )
  }, depthTimeout())
})
