/**
 * Position records (src/render/record.ts): pass 1 records where each
 * placeholder and escape is, pass 2 copies from the records without scanning.
 * The property test (property.test.ts) checks agreement with the reference
 * on random inputs; these are the edge cases by name.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { MissingSecretError } from '../../src/errors.ts'
import { PositionRecorder } from '../../src/render/record.ts'
import { RecordReplayer } from '../../src/render/replay.ts'
import { PlaceholderScanner } from '../../src/render/scanner.ts'
import { substituteAll } from '../../src/render/substituter.ts'
import { bytes, dec, join, valueMap } from './helpers.ts'
import { caught } from '../helpers/caught.ts'
import { setRenderCoreEnabled } from '../../src/render/core.ts'

// The WebAssembly core (src/render/core.ts) runs on chunks of any size here, so these tests cover it too.
beforeAll(() => {
  setRenderCoreEnabled(true, 1)
})
afterAll(() => {
  setRenderCoreEnabled(true)
})

const VALUES = valueMap({ A: 'alpha', BB: 'b', EMPTY: '', LONG: 'x'.repeat(50) })

/** Pass 1 over `chunks`; returns the names and the record batches (copied). */
function record(chunks: Uint8Array[], capacity = 4, maxId?: number) {
  const batches: Int32Array[] = []
  const recorder = new PositionRecorder({ capacity, maxId, onFull: (r) => batches.push(r.slice()) })
  const scanner = new PlaceholderScanner(recorder)
  for (const c of chunks) scanner.push(c.slice())
  scanner.end()
  batches.push(recorder.pending().slice())
  return { recorder, names: [...recorder.names], batches }
}

/** Pass 2 over `input` in chunks of `chunk` bytes, output buffer of `outSize`. */
function replay(input: Uint8Array, names: string[], batches: Int32Array[], chunk: number, outSize: number, values = VALUES) {
  let k = 0
  const out: Uint8Array[] = []
  const r = new RecordReplayer(names, values, () => batches[k++], (b) => out.push(b.slice()), { chunkSize: chunk, outSize })
  for (let at = 0; at < input.length; at += chunk) {
    const piece = input.subarray(at, at + chunk)
    r.input.set(piece)
    r.push(piece.length)
  }
  r.end()
  const all = join(out)
  expect(r.bytesOut).toBe(all.length)
  return all
}

describe('PositionRecorder and RecordReplayer', () => {
  const body = bytes('a ${SECRET:A}${SECRET:BB} $${SECRET:A} $$${SECRET:NOPE_ESC} ${SECRET:EMPTY}|${SECRET:LONG}\n$HOME ${x} $')

  test('round trip equals the scanning substituter, for every chunk and output size', () => {
    const expected = substituteAll(body, VALUES)
    const { names, batches, recorder } = record([body])
    expect(names).toEqual(['A', 'BB', 'EMPTY', 'LONG'])
    // 4 placeholders and 2 escapes, across batches of 4 records.
    expect(recorder.count).toBe(6)
    expect(recorder.spilled).toBe(true)
    for (const chunk of [1, 2, 3, 7, 13, body.length]) {
      for (const outSize of [1, 5, 64, 4096]) {
        expect(dec.decode(replay(body, names, batches.map((b) => b.slice()), chunk, outSize))).toBe(dec.decode(expected))
      }
    }
  })

  test('records made from 1-byte chunks are the same as from one chunk', () => {
    const whole = record([body], 100)
    const bytewise = record(Array.from(body, (b) => new Uint8Array([b])), 100)
    expect(bytewise.batches).toEqual(whole.batches)
    expect(whole.recorder.spilled).toBe(false)
  })

  test('no placeholders: no records, the output is the input', () => {
    const plain = bytes('just $text ${HOME} $${x}\n')
    const { names, batches, recorder } = record([plain])
    expect([names, recorder.count, batches]).toEqual([[], 0, [new Int32Array(0)]])
    expect(replay(plain, names, batches, 4, 3)).toEqual(plain)
  })

  test('a value map that lacks names: MissingSecretError listing all of them, before any output', () => {
    const { names, batches } = record([bytes('${SECRET:A} ${SECRET:X} ${SECRET:Y} ${SECRET:X}')])
    let flushed = 0
    const err = caught(() => new RecordReplayer(names, VALUES, () => batches.shift(), () => flushed++))
    expect(err).toBeInstanceOf(MissingSecretError)
    expect((err as MissingSecretError).names).toEqual(['X', 'Y'])
    expect(flushed).toBe(0)
  })

  test('an input that changed between the passes is detected', () => {
    const original = bytes('0123 ${SECRET:A} tail ${SECRET:BB}')
    const { names, batches } = record([original])
    const changed = (s: string, chunk: number) => () => replay(bytes(s), names, batches.map((b) => b.slice()), chunk, 8)
    // A construct moved: no `$` where the record says.
    // Every chunk size: the check holds on the fast path, with a full
    // output buffer and for constructs cut by a chunk boundary.
    for (const chunk of [1, 3, 4, 7, 64]) {
      // A construct moved: no `$` where the record says.
      expect(changed('01234 ${SECRET:A}tail ${SECRET:BB}', chunk)).toThrow('the input changed')
      // Shorter: records left over at the end.
      expect(changed('0123 ${SECRET:A} tail', chunk)).toThrow('the input changed')
      // The placeholder's closing brace moved.
      expect(changed('0123 ${SECRET:AB} tai ${SECRET:BB}', chunk)).toThrow('the input changed')
    }
  })

  test('more distinct names than maxId: records are given up, names stay complete', () => {
    const { recorder } = record([bytes('${SECRET:A} ${SECRET:BB} ${SECRET:A} ${SECRET:C}')], 4, 2)
    expect(recorder.overflow).toBe(true)
    expect(recorder.names).toEqual(['A', 'BB', 'C'])
  })
})
