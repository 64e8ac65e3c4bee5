/**
 * Randomized agreement with the reference implementation: inputs rich in
 * `$`, braces, `SECRET:`, valid and invalid names, partial placeholders,
 * multibyte UTF-8 and invalid bytes, cut into random chunks (1-byte chunks
 * and cuts inside placeholders included), must give exactly the reference's
 * output, or the same error at the same line and column.
 */
import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { MissingSecretError } from '../../src/errors.ts'
import { PositionRecorder, RecordReplayer } from '../../src/render/record.ts'
import { referenceNames } from './reference.ts'
import { PlaceholderScanner } from '../../src/render/scanner.ts'
import { renderStream } from '../../src/render/render.ts'
import { cases, depthTimeout } from '../helpers/depth.ts'
import { bytes, cut, join, namesOfChunks, outcomeOf, readStream, streamReference, substituteChunks, twoPassReference, valueMap, type Outcome } from './helpers.ts'

const LONG = 'L'.repeat(128)
const KNOWN = { A: 'va', FOO: '${SECRET:A}', FOO_1: 'é', B9_: '$', [LONG]: 'long' }
const VALUES = valueMap(KNOWN)
const VALID_NAMES = ['A', 'FOO', 'FOO_1', 'B9_', LONG, 'MISSING', 'Z']
const INVALID_NAMES = ['', 'a', 'foo', '1A', '_A', 'Ab', 'A-B', 'A B', 'A\n', 'É', `${LONG}L`, 'A:B']

const text = (s: string) => fc.constant(bytes(s))
const token: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...VALID_NAMES).map((n) => bytes(`\${SECRET:${n}}`)) },
  { weight: 3, arbitrary: fc.constantFrom(...VALID_NAMES).map((n) => bytes(`$\${SECRET:${n}}`)) },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID_NAMES).map((n) => bytes(`\${SECRET:${n}}`)) },
  { weight: 1, arbitrary: fc.constantFrom(...VALID_NAMES, ...INVALID_NAMES).map((n) => bytes(`\${SECRET:${n}`)) },
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
  { weight: 6, arbitrary: fc.constantFrom(...Object.keys(KNOWN)).map((n) => bytes(`\${SECRET:${n}}`)) },
  { weight: 3, arbitrary: fc.constantFrom(...VALID_NAMES).map((n) => bytes(`$\${SECRET:${n}}`)) },
  { weight: 1, arbitrary: token },
  { weight: 8, arbitrary: fc.oneof(text('$'), text('$$'), text('${SECRET'), text('${{ x }}'), text('é'), text('\n'), text('abc')) },
)
const longInput = fc.array(wellFormedToken, { minLength: 40, maxLength: 160 }).map(join)

/** An input and how to cut it: random offsets, or every byte on its own. */
const cutInput = cutOf(input)
const cutLongInput = cutOf(longInput)

function cutOf(inputs: fc.Arbitrary<Uint8Array>) {
  return fc
  .tuple(inputs, fc.array(fc.nat(), { maxLength: 8 }), fc.boolean())
  .map(([b, raw, single]) => {
    const offsets = single ? Array.from({ length: b.length }, (_, i) => i + 1).slice(0, -1) : raw.map((r) => r % (b.length + 1)).sort((x, y) => x - y)
    return { input: b, chunks: cut(b, offsets) }
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
function recordRender(chunks: Uint8Array[], capacity: number, replayChunk: number, outSize: number): Outcome {
  const batches: Int32Array[] = []
  const recorder = new PositionRecorder({ capacity, onFull: (r) => batches.push(r.slice()) })
  const scanner = new PlaceholderScanner(recorder)
  try {
    for (const chunk of chunks) {
      const reused = chunk.slice()
      scanner.push(reused)
      reused.fill(0x24)
    }
    scanner.end()
    batches.push(recorder.pending().slice())
    let k = 0
    const out: Uint8Array[] = []
    const replayer = new RecordReplayer(recorder.names, VALUES, () => batches[k++], (b) => out.push(b.slice()), {
      chunkSize: replayChunk,
      outSize,
    })
    const input = join(chunks)
    for (let at = 0; at < input.length; at += replayChunk) {
      const piece = input.subarray(at, at + replayChunk)
      replayer.input.set(piece)
      replayer.push(piece.length)
    }
    replayer.end()
    return { ok: join(out) }
  } catch (err) {
    return outcomeOf(err)
  }
}


const recordCase = fc.tuple(fc.oneof(cutInput, cutLongInput), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }))

describe('scanner agrees with the reference implementation', () => {
  test('two passes with position records, random chunks and buffer sizes (6,000 cases x TEST_DEPTH)', () => {
    let rendered = 0
    let missing = 0
    fc.assert(
      fc.property(recordCase, ([{ input: b, chunks }, capacity, replayChunk, outSize]) => {
        const out = recordRender(chunks, capacity, replayChunk, outSize)
        expect(out).toEqual(twoPassReference(b, VALUES))
        if ('ok' in out) rendered++
        if ('missing' in out) missing++
      }),
      { numRuns: cases(6_000) },
    )
    expect(rendered).toBeGreaterThan(1000)
    expect(missing).toBeGreaterThan(300)
  }, depthTimeout())

  test('names pass and substitution, random inputs and random chunks (10,000 cases x TEST_DEPTH)', () => {
    let malformed = 0
    let rendered = 0
    fc.assert(
      fc.property(cutInput, ({ input: b, chunks }) => {
        const refNames = reference(() => referenceNames(b))
        const names = namesOfChunks(chunks)
        expect(Array.isArray(refNames) ? { names: refNames } : refNames).toEqual(names)
        // The substituter is single-pass, like a stream: first problem in input order.
        const out = substituteChunks(chunks, VALUES)
        expect(out).toEqual(streamReference(b, VALUES))
        if ('malformed' in out) malformed++
        if ('ok' in out) rendered++
      }),
      { numRuns: cases(10_000) },
    )
    // The generator must exercise both outcomes substantially.
    expect(malformed).toBeGreaterThan(1000)
    expect(rendered).toBeGreaterThan(1000)
  }, depthTimeout())

  test('long inputs in few chunks (2,000 cases x TEST_DEPTH)', () => {
    let rendered = 0
    fc.assert(
      fc.property(cutLongInput, ({ input: b, chunks }) => {
        const refNames = reference(() => referenceNames(b))
        expect(Array.isArray(refNames) ? { names: refNames } : refNames).toEqual(namesOfChunks(chunks))
        const out = substituteChunks(chunks, VALUES)
        expect(out).toEqual(streamReference(b, VALUES))
        if ('ok' in out) rendered++
      }),
      { numRuns: cases(2_000) },
    )
    expect(rendered).toBeGreaterThan(500)
  }, depthTimeout())

  test('renderStream, random inputs and random chunks (1,500 cases x TEST_DEPTH)', async () => {
    await fc.assert(
      fc.asyncProperty(cutInput, async ({ input: b, chunks }) => {
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
        )
        let outcome: Outcome
        try {
          outcome = { ok: await readStream(stream) }
        } catch (err) {
          outcome = outcomeOf(err)
        }
        expect(outcome).toEqual(streamReference(b, VALUES))
        // Each name is resolved at most once per render.
        expect(new Set(resolved).size).toBe(resolved.length)
      }),
      { numRuns: cases(1_500) },
    )
  }, depthTimeout())
})
