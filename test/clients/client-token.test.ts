import { describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { clientTokenId, clientTokenMatches, hashClientToken, newClientToken } from '../../src/clients/client-token.ts'
import { parseTtl } from '../../src/clients/ttl.ts'

describe('client tokens', () => {
  test('a token is chs_ and base64url of 32 random bytes; its id is the hex of the first 8', () => {
    const { token, id, hash } = newClientToken()
    expect(token).toMatch(/^chs_[A-Za-z0-9_-]{43}$/)
    const bytes = Buffer.from(token.slice(4), 'base64url')
    expect(bytes.length).toBe(32)
    expect(id).toBe(bytes.subarray(0, 8).toString('hex'))
    // The stored hash is the SHA-256 of the token's text, recomputed independently.
    expect(hash).toBe(createHash('sha256').update(token, 'utf8').digest('hex'))
    expect(clientTokenId(token)).toBe(id)
    // The id is not a piece of the token's text.
    expect(token).not.toContain(id)
  })

  test('tokens are fresh each time', () => {
    const seen = new Set(Array.from({ length: 200 }, () => newClientToken().token))
    expect(seen.size).toBe(200)
  })

  test.each([
    ['empty', ''],
    ['no prefix', 'A'.repeat(47)],
    ['another prefix', `chx_${'A'.repeat(43)}`],
    ['too short', `chs_${'A'.repeat(42)}`],
    ['too long', `chs_${'A'.repeat(44)}`],
    ['padding', `chs_${'A'.repeat(42)}=`],
    ['standard base64 characters', `chs_${'A'.repeat(42)}+`],
    ['a space', ` chs_${'A'.repeat(43)}`],
    ['uppercase prefix', `CHS_${'A'.repeat(43)}`],
  ])('a malformed token (%s) has no id', (_label, text) => {
    expect(clientTokenId(text)).toBeUndefined()
  })

  test('clientTokenMatches compares the hash; any other text fails', () => {
    const { token, hash } = newClientToken()
    expect(clientTokenMatches(token, hash)).toBe(true)
    const flipped = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1)
    expect(clientTokenMatches(flipped, hash)).toBe(false)
    expect(clientTokenMatches(token, hashClientToken(newClientToken().token))).toBe(false)
    expect(clientTokenMatches(token, '')).toBe(false)
    expect(clientTokenMatches(token, 'zz')).toBe(false)
  })
})

describe('token lifetimes', () => {
  test.each([
    ['30d', 30 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['90m', 90 * 60_000],
    ['4w', 28 * 86_400_000],
    ['3650d', 3650 * 86_400_000],
  ])('%s', (text, ms) => expect(parseTtl(text)).toBe(ms))
  test.each(['', '0d', '30', 'd', '30 d', '30D', '1y', '-1d', '1.5d', '3651d', '01d'])('refuses %p', (text) => {
    expect(parseTtl(text)).toBeUndefined()
  })
})
