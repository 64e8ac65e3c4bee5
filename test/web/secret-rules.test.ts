import { describe, expect, test } from 'bun:test'
import { MAX_VALUE_BYTES, NAME_PATTERN, checkDescription, checkName, checkValue } from '../../web/src/secret-rules.ts'

describe('checkName', () => {
  test('the pattern is the server rule, verbatim', () => {
    expect(NAME_PATTERN.source).toBe('^[A-Z][A-Z0-9_]{0,127}$')
  })

  test.each(['A', 'GITHUB_TOKEN', 'X1', 'A_B_C_9', 'A'.repeat(128)])('accepts %p', (name) => {
    expect(checkName(name)).toBeNull()
  })

  test.each(['github_token', '1ABC', '_ABC', 'A-B', 'A B', 'ÄBC', 'A'.repeat(129)])('rejects %p with a message naming the rule', (name) => {
    expect(checkName(name)).toContain('^[A-Z][A-Z0-9_]{0,127}$')
  })

  test('says lowercase is the problem when it is', () => {
    expect(checkName('Token')).toContain('Lowercase letters are not allowed')
  })

  test('asks for a name when empty', () => {
    expect(checkName('')).toBe('Enter a name.')
  })
})

describe('checkValue', () => {
  test('needs at least one character', () => {
    expect(checkValue('')).toBe('Enter a value.')
  })

  test('accepts exactly 65,536 UTF-8 bytes, counting multi-byte characters as bytes', () => {
    expect(checkValue('a'.repeat(MAX_VALUE_BYTES))).toBeNull()
    expect(checkValue('é'.repeat(MAX_VALUE_BYTES / 2))).toBeNull()
  })

  test('rejects one byte more, and the message gives the rule and the size but not the value', () => {
    const message = checkValue(`${'é'.repeat(MAX_VALUE_BYTES / 2 - 1)}abc`)
    expect(message).toBe('At most 65,536 bytes of UTF-8 (this is 65,537).')
  })
})

describe('checkDescription', () => {
  test('at most 500 characters', () => {
    expect(checkDescription('')).toBeNull()
    expect(checkDescription('x'.repeat(500))).toBeNull()
    expect(checkDescription('x'.repeat(501))).toBe('At most 500 characters (this is 501).')
  })

  test('counts code points like the server: 500 emoji fit', () => {
    expect(checkDescription('🔑'.repeat(500))).toBeNull()
    expect(checkDescription('🔑'.repeat(501))).toBe('At most 500 characters (this is 501).')
  })

  test.each(['two\nlines', 'cr\rhere', 'bell\u0007', 'del\u007f'])('refuses control characters: %p', (text) => {
    expect(checkDescription(text)).toBe('One line only: no line breaks, control characters or text-direction overrides.')
  })

  test('a tab is allowed, as on the server', () => {
    expect(checkDescription('a\tb')).toBeNull()
  })
})
