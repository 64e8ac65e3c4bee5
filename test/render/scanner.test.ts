import { describe, expect, test } from 'bun:test'
import { MalformedPlaceholderError } from '../../src/errors.ts'
import { hashNameBytes, nameToString } from '../../src/render/name-table.ts'
import { MALFORMED, MAX_CONSTRUCT, PlaceholderScanner, type ScanHandler } from '../../src/render/scanner.ts'
import { bytes, cut, dec, substituteChunks, valueMap, type Outcome } from './helpers.ts'
import { caught } from '../helpers/caught.ts'

const VALUES = valueMap({ A: 'va', FOO: 'foo-value', FOO_1: 'f1', B9_: 'b9', Q: `it's "q"/` })
const LONGEST = 'N'.repeat(128)
const TOO_LONG = 'N'.repeat(129)

/** [input, expected output] for inputs that render. */
const RENDERS: Array<[string, string]> = [
  ['', ''],
  ['plain text', 'plain text'],
  ['${SECRET:A}', 'va'],
  ['x ${SECRET:A} y ${SECRET:FOO}!', 'x va y foo-value!'],
  ['${SECRET:A}${SECRET:A}', 'vava'],
  ['${SECRET:FOO_1}${SECRET:B9_}', 'f1b9'],
  // escapes: the `$` right before `${SECRET:` is dropped, the rest is text
  ['$${SECRET:A}', '${SECRET:A}'],
  ['$${SECRET:NOT_IN_THE_MAP}', '${SECRET:NOT_IN_THE_MAP}'],
  ['$$${SECRET:A}', '$${SECRET:A}'],
  ['$$$${SECRET:A}', '$$${SECRET:A}'],
  ['$${SECRET:A}${SECRET:A}', '${SECRET:A}va'],
  // everything else passes through byte for byte
  ['$', '$'],
  ['$$', '$$'],
  ['$$$', '$$$'],
  ['$HOME $$HOME', '$HOME $$HOME'],
  ['${HOME} ${x} ${}', '${HOME} ${x} ${}'],
  ['$${{ x }} ${{ github.sha }}', '$${{ x }} ${{ github.sha }}'],
  ['${SECRET}', '${SECRET}'],
  ['${SECRET-A}', '${SECRET-A}'],
  ['${secret:A}', '${secret:A}'],
  ['${ SECRET:A}', '${ SECRET:A}'],
  ['$ {SECRET:A}', '$ {SECRET:A}'],
  ['{SECRET:A}', '{SECRET:A}'],
  ['${SECRET', '${SECRET'],
  ['${SECRE', '${SECRE'],
  ['end $', 'end $'],
  ['end $$', 'end $$'],
  ['end ${', 'end ${'],
  ['end $${SECRET', 'end $${SECRET'],
  ['}', '}'],
  ['${SECRET:A}}', 'va}'],
  ['é ${SECRET:A} 漢字 🙂', 'é va 漢字 🙂'],
  [`\${SECRET:${LONGEST}}`, 'long'],
  // filters
  ['${SECRET:Q|raw}', `it's "q"/`],
  ['${SECRET:Q|json}', `it's \\"q\\"/`],
  ['${SECRET:Q|sh}', `'it'\\''s "q"/'`],
  ['${SECRET:Q|url}', 'it%27s%20%22q%22%2F'],
  ['${SECRET:Q|base64}', 'aXQncyAicSIv'],
  [`\${SECRET:${LONGEST}|base64}`, 'bG9uZw=='],
  ['${SECRET:A|sh}${SECRET:A}${SECRET:A|url}', "'va'vava"],
  // an escaped placeholder keeps its filter as text
  ['$${SECRET:A|json}', '${SECRET:A|json}'],
  ['$${SECRET:MISSING|base64}', '${SECRET:MISSING|base64}'],
  // `|` outside a placeholder is text
  ['${SECRET}|json ${x|raw}', '${SECRET}|json ${x|raw}'],
]

/** [input, line, column, detail] for malformed placeholders. */
const MALFORMED_CASES: Array<[string, number, number, string]> = [
  ['${SECRET:}', 1, 1, MALFORMED.empty],
  ['${SECRET:a}', 1, 1, MALFORMED.badStart],
  ['${SECRET:foo}', 1, 1, MALFORMED.badStart],
  ['${SECRET:1A}', 1, 1, MALFORMED.badStart],
  ['${SECRET:_A}', 1, 1, MALFORMED.badStart],
  ['${SECRET:Ab}', 1, 1, MALFORMED.badByte],
  ['${SECRET:A-B}', 1, 1, MALFORMED.badByte],
  ['${SECRET:A B}', 1, 1, MALFORMED.badByte],
  ['${SECRET: A}', 1, 1, MALFORMED.badStart],
  ['${SECRET:A', 1, 1, MALFORMED.unterminated],
  ['${SECRET:', 1, 1, MALFORMED.unterminated],
  ['${SECRET:A\n}', 1, 1, MALFORMED.badByte],
  ['${SECRET:A:B}', 1, 1, MALFORMED.badByte],
  ['${SECRET:ÉA}', 1, 1, MALFORMED.badStart],
  [`\${SECRET:${TOO_LONG}}`, 1, 1, MALFORMED.tooLong],
  [`\${SECRET:${TOO_LONG}`, 1, 1, MALFORMED.tooLong],
  [`\${SECRET:${LONGEST}`, 1, 1, MALFORMED.unterminated],
  ['abc ${SECRET:a}', 1, 5, MALFORMED.badStart],
  ['x\ny\n  ${SECRET:bad}', 3, 3, MALFORMED.badStart],
  ['x\r\n${SECRET:}', 2, 1, MALFORMED.empty],
  // columns count bytes: é is 2 bytes, 漢 is 3
  ['é${SECRET:}', 1, 3, MALFORMED.empty],
  ['ok\n漢${SECRET:}', 2, 4, MALFORMED.empty],
  // an escaped malformed placeholder is an error too, at the escaping `$`
  ['$${SECRET:bad}', 1, 1, MALFORMED.badStart],
  ['$$${SECRET:bad}', 1, 2, MALFORMED.badStart],
  ['a\n $${SECRET:', 2, 2, MALFORMED.unterminated],
  // the first malformed one is reported, even after valid ones
  ['${SECRET:A} ${SECRET:} ${SECRET:a}', 1, 13, MALFORMED.empty],
  // filters: exactly one of the five, lowercase, then `}`
  ['${SECRET:A|}', 1, 1, MALFORMED.badFilter],
  ['${SECRET:A|JSON}', 1, 1, MALFORMED.badFilter],
  ['${SECRET:A|js}', 1, 1, MALFORMED.badFilter],
  ['${SECRET:A|jsonx}', 1, 1, MALFORMED.badFilter],
  ['${SECRET:A|json|sh}', 1, 1, MALFORMED.badFilter],
  ['${SECRET:A|base65}', 1, 1, MALFORMED.badFilter],
  ['${SECRET:A| raw}', 1, 1, MALFORMED.badFilter],
  ['${SECRET:A|raw', 1, 1, MALFORMED.unterminated],
  ['${SECRET:A|bas', 1, 1, MALFORMED.unterminated],
  ['${SECRET:A|', 1, 1, MALFORMED.unterminated],
  ['${SECRET:|raw}', 1, 1, MALFORMED.badStart],
  ['${SECRET:a|raw}', 1, 1, MALFORMED.badStart],
  [`\${SECRET:${TOO_LONG}|raw}`, 1, 1, MALFORMED.tooLong],
  ['x $${SECRET:A|nope}', 1, 3, MALFORMED.badFilter],
]

function expectRenders(outcome: Outcome, expected: string): void {
  if (!('ok' in outcome)) throw new Error(`expected output, got ${JSON.stringify(outcome)}`)
  expect(dec.decode(outcome.ok)).toBe(expected)
}

const valuesWithLong = new Map(VALUES).set(LONGEST, bytes('long'))

describe('PlaceholderScanner grammar, whole input', () => {
  test.each(RENDERS)('%p renders as %p', (input, expected) => {
    expectRenders(substituteChunks([bytes(input)], valuesWithLong), expected)
  })

  test.each(MALFORMED_CASES)('%p is malformed at line %p, column %p', (input, line, column, detail) => {
    const outcome = substituteChunks([bytes(input)], VALUES)
    expect(outcome).toEqual({
      malformed: { line, column, message: `malformed placeholder at line ${line}, column ${column}: ${detail}` },
    })
  })
})

describe('PlaceholderScanner grammar, cut into chunks', () => {
  const all: Array<[string, Outcome]> = [
    ...RENDERS.map(([i, o]): [string, Outcome] => [i, { ok: bytes(o) }]),
    ...MALFORMED_CASES.map(([i, line, column, d]): [string, Outcome] => [
      i,
      { malformed: { line, column, message: `malformed placeholder at line ${line}, column ${column}: ${d}` } },
    ]),
  ]

  test('a cut at every byte position gives the same outcome as the whole input', () => {
    for (const [input, expected] of all) {
      const b = bytes(input)
      for (let at = 0; at <= b.length; at++) {
        expect({ input, at, outcome: substituteChunks(cut(b, [at]), valuesWithLong) }).toEqual({ input, at, outcome: expected })
      }
    }
  })

  test('two cuts at every pair of positions give the same outcome', () => {
    const input = 'a$${SECRET:A}b\n${SECRET:FOO}$${SECRET:x'
    const b = bytes(input)
    const expected = substituteChunks([b], VALUES)
    expect(expected).toEqual({
      malformed: { line: 2, column: 14, message: `malformed placeholder at line 2, column 14: ${MALFORMED.badStart}` },
    })
    const ok = bytes('a$${SECRET:A}b\n${SECRET:FOO}$$${SECRET:A}$')
    for (let i = 0; i <= b.length; i++) {
      for (let j = i; j <= b.length; j++) expect(substituteChunks(cut(b, [i, j]), VALUES)).toEqual(expected)
    }
    for (let i = 0; i <= ok.length; i++) {
      for (let j = i; j <= ok.length; j++) {
        expectRenders(substituteChunks(cut(ok, [i, j]), VALUES), 'a${SECRET:A}b\nfoo-value$${SECRET:A}$')
      }
    }
  })

  test('one-byte chunks give the same outcome as the whole input', () => {
    for (const [input, expected] of all) {
      const b = bytes(input)
      const chunks = Array.from(b, (x) => new Uint8Array([x]))
      expect({ input, outcome: substituteChunks(chunks, valuesWithLong) }).toEqual({ input, outcome: expected })
    }
  })

  test('empty chunks change nothing', () => {
    const b = bytes('x${SECRET:A}y')
    expectRenders(substituteChunks([new Uint8Array(0), b.slice(0, 3), new Uint8Array(0), b.slice(3)], VALUES), 'xvay')
  })
})

describe('PlaceholderScanner bytes', () => {
  test('invalid UTF-8 and binary data outside placeholders pass through unchanged', () => {
    const binary = new Uint8Array(2048)
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 151 + 7) & 0xff
    const pieces = [
      new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xe2, 0x82]),
      bytes('${SECRET:A}'),
      binary,
      new Uint8Array([0x24, 0x80, 0x24, 0x7b, 0xff]),
    ]
    const input = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0))
    let o = 0
    for (const p of pieces) {
      input.set(p, o)
      o += p.length
    }
    const outcome = substituteChunks(cut(input, [3, 9, 700]), VALUES)
    const expected = new Uint8Array(input.length - 'A'.length - '${SECRET:}'.length + 2)
    expected.set(pieces[0]!, 0)
    expected.set(bytes('va'), 7)
    expected.set(binary, 9)
    expected.set(pieces[3]!, 9 + binary.length)
    // The binary block holds no `${SECRET:`, so it must come out unchanged.
    expect(outcome).toEqual({ ok: expected })
  })

  test('a NUL or high byte in a name is malformed, not passed through', () => {
    expect(substituteChunks([new Uint8Array([...bytes('${SECRET:A'), 0x00, 0x7d])], VALUES)).toMatchObject({
      malformed: { line: 1, column: 1 },
    })
    expect(substituteChunks([new Uint8Array([...bytes('${SECRET:'), 0xc3, 0x89, 0x7d])], VALUES)).toMatchObject({
      malformed: { line: 1, column: 1 },
    })
  })
})

describe('PlaceholderScanner events and memory', () => {
  class Recorder implements ScanHandler {
    events: string[] = []
    literal(buf: Uint8Array, start: number, end: number): void {
      this.events.push(`L:${dec.decode(buf.subarray(start, end))}`)
    }
    placeholder(buf: Uint8Array, start: number, end: number, hash: number): void {
      expect(hash).toBe(hashNameBytes(buf, start, end))
      this.events.push(`P:${nameToString(buf, start, end)}`)
    }
  }

  test('reports literal runs and placeholders in order, with the hash of the name bytes', () => {
    const r = new Recorder()
    const s = new PlaceholderScanner(r)
    s.push(bytes('a ${SECRET:X1} $${SECRET:Y} ${SECRET:Z_9}'))
    s.end()
    expect(r.events).toEqual(['L:a ', 'P:X1', 'L: ', 'L:${SECRET:Y} ', 'P:Z_9'])
  })

  test('the carried tail never exceeds one construct, whatever the chunking', () => {
    const s = new PlaceholderScanner({ literal() {}, placeholder() {} })
    const input = bytes(`$$\${SECRET:${LONGEST}|base64} $$$$\${SECRET:${LONGEST}|base64} \${SECRET:${LONGEST}}`)
    let max = 0
    for (const b of input) {
      s.push(new Uint8Array([b]))
      max = Math.max(max, (s as unknown as { carry: Uint8Array }).carry.length)
    }
    s.end()
    expect(max).toBe(MAX_CONSTRUCT - 1)
  })

  test('a handler error aborts the scan and propagates', () => {
    const s = new PlaceholderScanner({
      literal() {},
      placeholder() {
        throw new Error('stop')
      },
    })
    expect(() => s.push(bytes('x ${SECRET:A} y'))).toThrow('stop')
  })

  test('push after end is refused', () => {
    const s = new PlaceholderScanner({ literal() {}, placeholder() {} })
    s.end()
    expect(() => s.push(bytes('x'))).toThrow('push after end')
  })

  test('a malformed placeholder error carries its position and never the rest of the input', () => {
    const s = new PlaceholderScanner({ literal() {}, placeholder() {} })
    const err = caught(() => s.push(bytes('line\n  ${SECRET:sk_live_SUPERSECRET}')))
    expect(err).toBeInstanceOf(MalformedPlaceholderError)
    const m = err as MalformedPlaceholderError
    expect([m.code, m.line, m.column]).toEqual(['malformed_placeholder', 2, 3])
    expect(m.message).not.toContain('sk_live')
    expect(m.message).not.toContain('SUPERSECRET')
  })
})
