import { describe, expect, test } from 'bun:test'
import { MalformedPlaceholderError } from '../../src/errors.ts'
import { NameCollector, collectNames } from '../../src/render/names.ts'
import { collectNamesFromChunks } from './helpers.ts'
import { PlaceholderScanner } from '../../src/render/scanner.ts'
import { bytes, cut } from './helpers.ts'
import { caught } from '../helpers/caught.ts'

describe('collectNames', () => {
  test('lists distinct names in first-seen order', () => {
    expect(collectNames(bytes('${SECRET:B} ${SECRET:A} ${SECRET:B} ${SECRET:C_1} ${SECRET:A}'))).toEqual(['B', 'A', 'C_1'])
  })

  test('an escaped placeholder is text, not a use', () => {
    expect(collectNames(bytes('$${SECRET:A} ${SECRET:B} $$${SECRET:C}'))).toEqual(['B'])
  })

  test('no placeholder: no names', () => {
    expect(collectNames(bytes('$HOME ${x} ${{ y }} $$'))).toEqual([])
    expect(collectNames(new Uint8Array(0))).toEqual([])
  })

  test('throws on the first malformed placeholder, with its line and byte column', () => {
    const err = caught(() => collectNames(bytes('${SECRET:A}\n\tx ${SECRET:lower} ${SECRET:}')))
    expect(err).toBeInstanceOf(MalformedPlaceholderError)
    expect([(err as MalformedPlaceholderError).line, (err as MalformedPlaceholderError).column]).toEqual([2, 4])
  })
})

describe('collectNamesFromChunks', () => {
  test('gives the same names whatever the chunking', () => {
    const body = bytes('a ${SECRET:FIRST} b $${SECRET:NOPE} ${SECRET:SECOND}${SECRET:FIRST}')
    for (let i = 0; i <= body.length; i++) {
      expect(collectNamesFromChunks(cut(body, [i]))).toEqual(['FIRST', 'SECOND'])
    }
  })

  test('reports the position of a malformed placeholder split across chunks (running line count)', () => {
    const body = bytes('l1\nl2\n  ${SECRET:bad}')
    for (let i = 0; i <= body.length; i++) {
      expect(() => collectNamesFromChunks(cut(body, [i]))).toThrow('line 3, column 3')
    }
  })

  test('uses the given locate instead of counting lines', () => {
    const offsets: number[] = []
    expect(() =>
      collectNamesFromChunks([bytes('ab\n${SECRET:x}')], {
        locate: (offset) => {
          offsets.push(offset)
          return { line: 42, column: 7 }
        },
      }),
    ).toThrow('line 42, column 7')
    expect(offsets).toEqual([3])
  })
})

describe('NameCollector', () => {
  test('calls onNew once per distinct name, in order', () => {
    const seen: string[] = []
    const scanner = new PlaceholderScanner(new NameCollector((n) => seen.push(n)))
    scanner.push(bytes('${SECRET:X}${SECRET:Y}${SECRET:X}'))
    scanner.end()
    expect(seen).toEqual(['X', 'Y'])
  })

  test('keeps names correct when the caller reuses its buffer', () => {
    const collector = new NameCollector()
    const scanner = new PlaceholderScanner(collector)
    const buf = bytes('${SECRET:KEEP_ME}')
    scanner.push(buf)
    buf.fill(0x5a)
    scanner.push(bytes(' ${SECRET:KEEP_ME}'))
    scanner.end()
    expect(collector.names).toEqual(['KEEP_ME'])
  })
})
