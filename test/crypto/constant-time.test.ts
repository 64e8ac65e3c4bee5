import { expect, test } from 'bun:test'
import fc from 'fast-check'
import { constantTimeEqual, constantTimeEqualText } from '../../src/crypto/constant-time.ts'
import { cases } from '../helpers/depth.ts'

test('equal exactly when the bytes are equal (Buffer.equals as the reference)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
      expect(constantTimeEqual(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)))
      expect(constantTimeEqual(a, a.slice())).toBe(true)
    }),
    { numRuns: cases(2_000) },
  )
})

test('a difference in any one byte, or in length, is unequal', () => {
  const a = new Uint8Array(32).fill(7)
  for (let i = 0; i < a.length; i++) {
    const b = a.slice()
    b[i] = 8
    expect(constantTimeEqual(a, b)).toBe(false)
  }
  expect(constantTimeEqual(a, a.subarray(0, 31))).toBe(false)
})

test('strings compare as UTF-8', () => {
  expect(constantTimeEqualText('é', 'é')).toBe(true)
  expect(constantTimeEqualText('é', 'e\u0301')).toBe(false)
  expect(constantTimeEqualText('token', 'tokem')).toBe(false)
  expect(constantTimeEqualText('', '')).toBe(true)
})
