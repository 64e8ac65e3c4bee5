import { describe, expect, test } from 'bun:test'
import { MissingSecretError } from '../../src/errors.ts'
import { CollectingSink } from '../../src/render/byte-sink.ts'
import { Substituter, substituteAll, valueTable } from '../../src/render/substituter.ts'
import { bytes, dec, substituteChunks, valueMap } from './helpers.ts'
import { caught } from '../helpers/caught.ts'

const VALUES = valueMap({ FOO: 'foo-value', BAR: 'bar' })

describe('substituteAll', () => {
  test('replaces every placeholder with its value bytes', () => {
    expect(dec.decode(substituteAll(bytes('a=${SECRET:FOO}; b=${SECRET:BAR}; a=${SECRET:FOO}'), VALUES))).toBe(
      'a=foo-value; b=bar; a=foo-value',
    )
  })

  test('a name not in the map is MissingSecretError("FOO") naming only that secret', () => {
    const err = caught(() => substituteAll(bytes('x ${SECRET:BAR} ${SECRET:NOPE}'), valueMap({ BAR: 'the-bar-value' })))
    expect(err).toBeInstanceOf(MissingSecretError)
    expect((err as MissingSecretError).names).toEqual(['NOPE'])
    expect((err as MissingSecretError).code).toBe('missing_secret')
    expect((err as MissingSecretError).message).toBe('missing secret: NOPE')
    // No value of another secret leaks into the error.
    expect((err as MissingSecretError).message).not.toContain('the-bar-value')
  })

  test('MissingSecretError for FOO', () => {
    expect(() => substituteAll(bytes('${SECRET:FOO}'), new Map())).toThrow(new MissingSecretError('FOO'))
  })

  test('values are inserted as they are, never scanned again', () => {
    const values = valueMap({ A: '${SECRET:B}', B: 'never' , C: '$'})
    expect(dec.decode(substituteAll(bytes('${SECRET:A} ${SECRET:C}${SECRET:A}'), values))).toBe('${SECRET:B} $${SECRET:B}')
  })

  test('binary values are inserted byte for byte', () => {
    const values = new Map([['BIN', new Uint8Array([0, 0xff, 0x24, 0x7b])]])
    expect(Array.from(substituteAll(bytes('<${SECRET:BIN}>'), values))).toEqual([0x3c, 0, 0xff, 0x24, 0x7b, 0x3e])
  })

  test('accepts a prepared value table', () => {
    expect(dec.decode(substituteAll(bytes('${SECRET:BAR}'), valueTable(VALUES)))).toBe('bar')
  })
})

describe('Substituter (streaming)', () => {
  test('output is the same for every chunking, including inside placeholders', () => {
    const body = bytes('é ${SECRET:FOO}\n$${SECRET:FOO} ${SECRET:BAR}$')
    for (let i = 0; i <= body.length; i++) {
      for (let j = i; j <= body.length; j++) {
        const chunks = [body.slice(0, i), body.slice(i, j), body.slice(j)]
        expect(substituteChunks(chunks, VALUES)).toEqual({ ok: bytes('é foo-value\n${SECRET:FOO} bar$') })
      }
    }
  })

  test('nothing is emitted for a placeholder until it is complete', () => {
    const sink = new CollectingSink()
    const s = new Substituter(VALUES, sink)
    s.push(bytes('ab${SECRET:FO'))
    expect(dec.decode(sink.take())).toBe('ab')
    s.push(bytes('O}cd'))
    expect(dec.decode(sink.take())).toBe('foo-valuecd')
    s.end()
    expect(s.bytesIn).toBe(17)
  })

  test('a trailing $ is held back until the next chunk decides it', () => {
    const sink = new CollectingSink()
    const s = new Substituter(VALUES, sink)
    s.push(bytes('x$'))
    expect(dec.decode(sink.take())).toBe('x')
    s.push(bytes('${SECRET:BAR}'))
    s.end()
    expect(dec.decode(sink.take())).toBe('${SECRET:BAR}')
  })
})
