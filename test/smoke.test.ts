import { describe, expect, test } from 'bun:test'
import { MissingSecretError } from '../src/errors.ts'

describe('MissingSecretError', () => {
  test('for one name carries that name and its stable code', () => {
    const e = new MissingSecretError('FOO')
    expect(e.code).toBe('missing_secret')
    expect(e.names).toEqual(['FOO'])
    expect(e.message).toBe('missing secret: FOO')
  })
})
