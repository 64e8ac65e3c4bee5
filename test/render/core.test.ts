/**
 * The WebAssembly core (src/render/core.ts) is only a fast path: with it on
 * or off, pass 1 must make the same records, names and variants (or the same
 * error), and pass 2 the same output, for every input and every chunking.
 * The reference implementation's agreement with the core-on path is in
 * property.test.ts (which runs with the core on); here both paths are run
 * side by side, on inputs where the core does most of the work.
 */
import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { renderCoreBytes } from '../../scripts/gen-render-core.ts'
import { CORE_MIN_INPUT, renderCore, setRenderCoreEnabled } from '../../src/render/core.ts'
import { RENDER_CORE_WASM } from '../../src/render/core-wasm.ts'
import { PositionRecorder } from '../../src/render/record.ts'
import { RecordReplayer } from '../../src/render/replay.ts'
import { PlaceholderScanner } from '../../src/render/scanner.ts'
import { cases, depthTimeout } from '../helpers/depth.ts'
import { bytes, cut, outcomeOf, replayRecords, twoPassReference, valueMap } from './helpers.ts'

const LONG = 'L'.repeat(128)
const VALUES = valueMap({ A: 'va', FOO: '${SECRET:A}', FOO_1: 'é', B9_: '$', [LONG]: 'long', ABCDEFGHIJKLMNOP: '16', ABCDEFGHIJKLMNOQ: '16b' })

// The core starts for chunks of any size here (by default only from CORE_MIN_INPUT bytes).
beforeEach(() => {
  setRenderCoreEnabled(true, 1)
})
afterAll(() => {
  setRenderCoreEnabled(true)
})

interface Pass1 {
  records: number[]
  names: readonly string[]
  variants: unknown[]
  fastCalls: number
}

/** Pass 1 over `chunks` with the core on or off: the records (all batches), names and variants, or the error. */
function pass1(chunks: Uint8Array[], core: boolean, capacity = 1 << 17): Pass1 | ReturnType<typeof outcomeOf> {
  setRenderCoreEnabled(core, 1)
  const records: number[] = []
  const recorder = new PositionRecorder({ capacity, onFull: (r) => records.push(...r) })
  let fastCalls = 0
  const fastScan = recorder.fastScan.bind(recorder)
  recorder.fastScan = (p, l) => (fastCalls++, fastScan(p, l))
  const scanner = new PlaceholderScanner(recorder, {})
  try {
    for (const c of chunks) scanner.push(c)
    scanner.end()
  } catch (err) {
    return outcomeOf(err)
  } finally {
    setRenderCoreEnabled(true, 1)
  }
  records.push(...recorder.pending())
  return { records, names: [...recorder.names], variants: [...recorder.variants], fastCalls }
}

/** Both passes, the core on or off, pass 2 in chunks of `replayChunk` with `outSize` output buffers. */
function render(input: Uint8Array, chunks: Uint8Array[], core: boolean, replayChunk: number, outSize: number) {
  setRenderCoreEnabled(core, 1)
  try {
    const batches: Int32Array[] = []
    const recorder = new PositionRecorder({ capacity: 3, onFull: (r) => batches.push(r.slice()) })
    const scanner = new PlaceholderScanner(recorder, {})
    for (const c of chunks) scanner.push(c)
    scanner.end()
    return { ok: replayRecords(recorder, batches, VALUES, input, replayChunk, outSize) }
  } catch (err) {
    return outcomeOf(err)
  } finally {
    setRenderCoreEnabled(true, 1)
  }
}

const NAMES = ['A', 'FOO', 'FOO_1', 'B9_', LONG, 'ABCDEFGHIJKLMNOP', 'ABCDEFGHIJKLMNOQ', 'MISSING', `${LONG}L`, 'a', '1A', '']
const token = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...NAMES.slice(0, 7)).map((n) => `\${SECRET:${n}}`) },
  { weight: 2, arbitrary: fc.constantFrom(...NAMES).map((n) => `\${SECRET:${n}}`) },
  { weight: 1, arbitrary: fc.constantFrom(...NAMES).map((n) => `$\${SECRET:${n}}`) },
  { weight: 1, arbitrary: fc.constantFrom('|raw}', '|sh}', '|bad}', '', '}', '-}').map((f) => `\${SECRET:FOO${f}`) },
  { weight: 6, arbitrary: fc.constantFrom('x', 'some text ', '\n', '$', '$$', '${', '${SECRET', '$HOME', '{}', 'é', 'x'.repeat(40)) },
)
const denseInput = fc.array(token, { minLength: 1, maxLength: 120 }).map((t) => bytes(t.join('')))
const denseCase = fc
  .tuple(denseInput, fc.array(fc.nat(), { maxLength: 4 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 200 }))
  .map(([b, raw, replayChunk, outSize]) => ({ input: b, chunks: cut(b, raw.map((r) => r % (b.length + 1)).sort((x, y) => x - y)), replayChunk, outSize }))

describe('the WebAssembly render core', () => {
  test('the committed module is what scripts/gen-render-core.ts generates', () => {
    expect(RENDER_CORE_WASM).toBe(Buffer.from(renderCoreBytes()).toString('base64'))
  })

  test('runs here (Bun), and is off after setRenderCoreEnabled(false)', () => {
    expect(renderCore(4096)?.start()).toBe(true)
    expect(setRenderCoreEnabled(false)).toBe(true)
    expect(renderCore(4096)).toBeUndefined()
  })

  test('by default it starts only for chunks of CORE_MIN_INPUT bytes or more, so a small render does not compile it', () => {
    const line = 'key: ${SECRET:FOO_1} and ${SECRET:A}\n'
    const small = bytes(line.repeat(100))
    const large = bytes(line.repeat(Math.ceil(CORE_MIN_INPUT / line.length)))
    setRenderCoreEnabled(true)
    const countCalls = (chunks: Uint8Array[]) => {
      const recorder = new PositionRecorder({ onFull() {} })
      let calls = 0
      const fastScan = recorder.fastScan.bind(recorder)
      recorder.fastScan = (p, l) => (calls++, fastScan(p, l))
      const scanner = new PlaceholderScanner(recorder, {})
      for (const c of chunks) scanner.push(c)
      scanner.end()
      return { calls, records: recorder.count }
    }
    expect(countCalls([small])).toEqual({ calls: 0, records: 200 })
    // One call, and one more after each name's first placeholder (new names are JavaScript's).
    expect(countCalls([large]).calls).toBe(3)
    // Started by a large chunk, it goes on for the small ones after it.
    expect(countCalls([large, small]).calls).toBe(4)
  })

  test('records a dense input in far fewer calls than placeholders, the same records as without it', () => {
    const body = bytes(`${'key: ${SECRET:FOO_1} and ${SECRET:ABCDEFGHIJKLMNOP} $$${SECRET:A} ${SECRET:A|sh}\n'.repeat(2000)}`)
    const chunks = cut(body, [1000, 50_000, 50_009])
    const on = pass1(chunks, true) as Pass1
    const off = pass1(chunks, false) as Pass1
    expect(on.records).toEqual(off.records)
    expect(on.names).toEqual(off.names)
    expect(on.variants).toEqual(off.variants)
    expect(on.records.length).toBe(2 * 4 * 2000)
    // `$$$` and the filter go through JavaScript (3 stops a line); the plain placeholders do not.
    expect(on.fastCalls).toBeLessThan(3 * 2000 + 50)
    expect(off.fastCalls).toBe(0)
  })

  test('every cut of every construct gives the same records with and without it', () => {
    const body = bytes(`${'p'.repeat(20)}\${SECRET:FOO_1} \${SECRET:${LONG}}\${SECRET:A}$\${SECRET:B9_}\${SECRET:FOO|raw}\${SECRET:ABCDEFGHIJKLMNOQ}$x${'q'.repeat(20)}`)
    for (let a = 0; a <= body.length; a++) {
      const chunks = cut(body, [a])
      expect(pass1(chunks, true)).toEqual({ ...(pass1(chunks, false) as Pass1), fastCalls: expect.any(Number) })
    }
  })

  test('input read into inputBuffer() (no copy), placeholders cut by every chunk size: the same records as without the core', () => {
    const body = bytes(`${'text ${SECRET:FOO_1} $${SECRET:A} ${SECRET:ABCDEFGHIJKLMNOP}${SECRET:A|sh} $$ '.repeat(30)}\${SECRET:${LONG}}`)
    for (const size of [1, 7, 16, 17, 31, 64, 100, 257]) {
      const runs = [true, false].map((core) => {
        setRenderCoreEnabled(core, 1)
        try {
          const records: number[] = []
          const recorder = new PositionRecorder({ capacity: 5, onFull: (r) => records.push(...r) })
          const scanner = new PlaceholderScanner(recorder, {})
          const buf = recorder.inputBuffer(size)
          for (let at = 0; at < body.length; at += size) {
            const piece = body.subarray(at, at + size)
            buf.set(piece)
            scanner.push(piece.length === size ? buf : buf.subarray(0, piece.length))
            buf.fill(0x24) // the next read overwrites it
          }
          scanner.end()
          records.push(...recorder.pending())
          return { records, names: [...recorder.names], variants: [...recorder.variants] }
        } finally {
          setRenderCoreEnabled(true, 1)
        }
      })
      expect(runs[0]).toEqual(runs[1]!)
      expect(runs[0]!.names).toEqual(['FOO_1', 'ABCDEFGHIJKLMNOP', 'A', LONG])
    }
  })

  test('a name of 129 bytes and a name that does not start with A-Z are the same errors with and without it', () => {
    for (const name of [`${LONG}L`, '1A', 'a', '', `A${'-'.repeat(20)}`]) {
      const body = bytes(`${'x'.repeat(30)}\${SECRET:A}\${SECRET:${name}}${'y'.repeat(40)}`)
      const on = pass1([body], true)
      expect(on).toEqual(pass1([body], false))
      expect(on).toHaveProperty('malformed')
    }
  })

  test('more distinct names than its table holds: the rest are recorded by JavaScript, the same records', () => {
    const names = Array.from({ length: 3000 }, (_, k) => `N${k}_${'X'.repeat(k % 40)}`)
    const body = bytes(names.map((n) => `\${SECRET:${n}} `).join('').repeat(2))
    const on = pass1([body], true, 1000) as Pass1
    const off = pass1([body], false, 1000) as Pass1
    expect(on.records).toEqual(off.records)
    expect(on.names).toEqual(off.names)
  })

  test('random dense inputs: both passes agree with and without it, and with the reference (1,500 cases x TEST_DEPTH)', () => {
    let rendered = 0
    fc.assert(
      fc.property(denseCase, ({ input, chunks, replayChunk, outSize }) => {
        const on = render(input, chunks, true, replayChunk, outSize)
        expect(on).toEqual(render(input, chunks, false, replayChunk, outSize))
        expect(on).toEqual(twoPassReference(input, VALUES, 'raw'))
        if ('ok' in on) rendered++
      }),
      { numRuns: cases(1_500) },
    )
    expect(rendered).toBeGreaterThan(cases(1_500) / 10)
  }, depthTimeout())

  test('pass 2 notices a changed `$` or `}` that the core would otherwise copy over', () => {
    const body = bytes(`${'x'.repeat(40)}\${SECRET:A}${'y'.repeat(40)}\${SECRET:FOO}${'z'.repeat(40)}`)
    for (const at of [40, 40 + 10, body.length - 41, body.length - 40 - 13]) {
      const recorder = new PositionRecorder({ onFull() {} })
      const scanner = new PlaceholderScanner(recorder, {})
      scanner.push(body)
      scanner.end()
      const records = recorder.pending().slice()
      let given = false
      const replayer = new RecordReplayer(recorder.names, VALUES, () => (given ? undefined : ((given = true), records)), () => {}, { chunkSize: 4096, outSize: 4096 })
      const changed = body.slice()
      changed[at] = 0x78
      replayer.input.set(changed)
      expect(() => replayer.push(changed.length)).toThrow('the input changed while it was being rendered')
    }
  })
})
