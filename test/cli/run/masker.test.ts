import { describe, expect, test } from 'bun:test'
import { Masker } from '../../../src/cli/run/masker.ts'

const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)

/** Masks `input` fed as the given chunks. */
function maskChunks(values: string[], chunks: Uint8Array[]): string {
  const m = new Masker(values.map(enc))
  const parts = chunks.map((c) => dec(m.push(c)))
  return parts.join('') + dec(m.flush())
}

/** A reference by another route: every match as an interval, overlapping ones merged. */
function reference(values: string[], input: string): string {
  const vs = values.filter((v) => enc(v).length >= 4)
  const spans: [number, number][] = []
  for (let i = 0; i < input.length; i++) for (const v of vs) if (input.startsWith(v, i)) spans.push([i, i + v.length])
  spans.sort((a, b) => a[0] - b[0])
  let out = ''
  let at = 0
  let end = -1
  for (const [s, e] of spans) {
    if (s < end) {
      end = Math.max(end, e)
      continue
    }
    if (end >= 0) at = end
    out += input.slice(at, s) + '<concealed>'
    end = e
  }
  if (end >= 0) at = end
  return out + input.slice(at)
}

describe('Masker', () => {
  const values = ['ghp_secret_value', 'hunter22', 'abc'] // abc: too short to mask
  const input = 'start ghp_secret_value mid hunter22hunter22 ghp_secret_valu abc end ghp_secret_value'
  const expected = 'start <concealed> mid <concealed><concealed> ghp_secret_valu abc end <concealed>'

  test('replaces every value of 4 bytes or more; shorter values and near misses pass', () => {
    expect(reference(values, input)).toBe(expected)
    expect(maskChunks(values, [enc(input)])).toBe(expected)
  })

  test('a value split at every byte offset, into two and into three chunks, is still concealed', () => {
    const bytes = enc(input)
    for (let a = 0; a <= bytes.length; a++) {
      expect(maskChunks(values, [bytes.subarray(0, a), bytes.subarray(a)])).toBe(expected)
      for (let b = a; b <= bytes.length; b += 3) {
        expect(maskChunks(values, [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)])).toBe(expected)
      }
    }
  })

  test('one byte a chunk', () => {
    const bytes = enc(input)
    expect(maskChunks(values, [...bytes].map((b) => Uint8Array.of(b)))).toBe(expected)
  })

  test('overlapping and nested values conceal every byte of each, in one marker', () => {
    const vs = ['abcdef', 'defghi', 'cdefgh', 'xxxxxx']
    for (const s of ['abcdefghi', 'zzabcdefghizz', 'xxxxxxxxx', 'abcdexxxxxxabcdef']) {
      const bytes = enc(s)
      for (let a = 0; a <= bytes.length; a++) {
        expect(maskChunks(vs, [bytes.subarray(0, a), bytes.subarray(a)])).toBe(reference(vs, s))
      }
    }
    expect(maskChunks(vs, [enc('zzabcdefghizz')])).toBe('zz<concealed>zz')
  })

  test('random inputs over a small alphabet agree with the reference at random splits', () => {
    let seed = 12345
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n)
    const word = (len: number) => Array.from({ length: len }, () => 'ab'[rand(2)]).join('')
    for (let round = 0; round < 300; round++) {
      const vs = Array.from({ length: 1 + rand(4) }, () => word(4 + rand(4)))
      const s = word(rand(60))
      const bytes = enc(s)
      const cuts = [0, rand(bytes.length + 1), rand(bytes.length + 1), bytes.length].sort((x, y) => x - y)
      const chunks = [0, 1, 2].map((k) => bytes.subarray(cuts[k], cuts[k + 1]))
      expect(maskChunks(vs, chunks)).toBe(reference(vs, s))
    }
  })

  test('bytes outside values, including invalid UTF-8, pass unchanged', () => {
    const m = new Masker([enc('secretvalue')])
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)
    const out = new Uint8Array([...m.push(bytes.subarray(0, 1000)), ...m.push(bytes.subarray(1000)), ...m.flush()])
    expect(out).toEqual(bytes)
  })

  test('no maskable values: chunks pass through as they are', () => {
    const m = new Masker([enc('abc')])
    const c = enc('abc abc')
    expect(m.push(c)).toBe(c)
    expect(m.flush().length).toBe(0)
  })

  test('a chunk the caller reuses after push does not change held-back bytes', () => {
    const m = new Masker([enc('hunter22')])
    const buf = enc('xx hunt')
    const first = dec(m.push(buf))
    buf.set(enc('zzzzzzz'))
    expect(first + dec(m.push(enc('er22 yy'))) + dec(m.flush())).toBe('xx <concealed> yy')
  })
})
