import { describe, expect, test } from 'bun:test'
import { decodeAccessLogCursor, encodeAccessLogCursor } from '../../src/http/access-log-cursor.ts'

describe('access-log cursor', () => {
  test('round-trips ids from 1 to the largest safe integer', () => {
    for (const id of [1, 2, 49, 50, 999, 123_456_789, 2 ** 40, Number.MAX_SAFE_INTEGER - 1]) {
      const cursor = encodeAccessLogCursor(id)
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
      expect(decodeAccessLogCursor(cursor)).toBe(id)
    }
  })

  const b64url = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  const rejects: Array<[string, string]> = [
    ['empty', ''],
    ['not base64url', 'abc$'],
    ['padding', `${b64url('al1:5')}=`],
    ['another prefix', b64url('al2:5')],
    ['no prefix', b64url('5')],
    ['id 0', b64url('al1:0')],
    ['a leading zero', b64url('al1:05')],
    ['a negative id', b64url('al1:-5')],
    ['a fraction', b64url('al1:5.5')],
    ['beyond 2^53', b64url('al1:9007199254740993')],
    ['trailing bytes', b64url('al1:5 ')],
    ['too long', 'A'.repeat(65)],
  ]
  for (const [label, cursor] of rejects) test(`refuses ${label}`, () => expect(decodeAccessLogCursor(cursor)).toBeUndefined())
})
