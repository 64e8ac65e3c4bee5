import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import {
  decodeBase64Loose,
  decodeBase64Strict,
  decodeBase64Url,
  decodeHex,
  encodeBase64,
  encodeBase64Unpadded,
  encodeBase64Url,
  encodeHex,
  randomHex,
} from '../../src/crypto/encoding.ts'
import { cases } from '../helpers/depth.ts'

// Node's Buffer is the independent reference for every encoding.
const ref = (b: Uint8Array) => Buffer.from(b)

describe('encodings agree with Buffer and round-trip', () => {
  test('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(encodeBase64(bytes)).toBe(ref(bytes).toString('base64'))
        expect(encodeBase64Unpadded(bytes)).toBe(ref(bytes).toString('base64').replace(/=+$/, ''))
        expect(encodeBase64Url(bytes)).toBe(ref(bytes).toString('base64url'))
        expect(encodeHex(bytes)).toBe(ref(bytes).toString('hex'))
        expect(decodeBase64Strict(encodeBase64(bytes))).toEqual(bytes)
        expect(decodeBase64Loose(encodeBase64Unpadded(bytes))).toEqual(bytes)
        expect(decodeBase64Loose(encodeBase64(bytes))).toEqual(bytes)
        expect(decodeBase64Url(encodeBase64Url(bytes))).toEqual(bytes)
        expect(decodeHex(encodeHex(bytes))).toEqual(bytes)
      }),
      { numRuns: cases(2_000) },
    )
  })
})

describe('decoders refuse what no encoder makes', () => {
  test.each([
    ['strict base64 without padding', () => decodeBase64Strict('YQ')],
    ['strict base64 in the URL alphabet', () => decodeBase64Strict('-_8=')],
    ['strict base64 with whitespace', () => decodeBase64Strict('YW Jj')],
    ['loose base64 of an impossible length', () => decodeBase64Loose('YWJjZ')],
    ['loose base64 with a stray character', () => decodeBase64Loose('YW*j')],
    ['base64url with padding', () => decodeBase64Url('YQ==')],
    ['base64url in the standard alphabet', () => decodeBase64Url('+/8')],
    ['hex of odd length', () => decodeHex('abc')],
    ['hex with a non-hex digit', () => decodeHex('zz')],
  ])('%s', (_label, decode) => {
    expect(decode()).toBeUndefined()
  })
})

test('randomHex gives that many fresh random bytes as hex', () => {
  const a = randomHex(16)
  expect(a).toMatch(/^[0-9a-f]{32}$/)
  expect(randomHex(16)).not.toBe(a)
})
