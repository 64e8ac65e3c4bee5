import { describe, expect, test } from 'bun:test'
import { Keyring, computeKeyId } from '../../src/crypto/keyring.ts'
import { generateMasterKey, parseMasterKey, parsePreviousKeys } from '../../src/crypto/master-key.ts'
import { ConfigError, UnknownKeyError } from '../../src/errors.ts'
import { hex, randomKey, rawKey } from '../helpers/keys.ts'
import { caught } from '../helpers/caught.ts'

const KEY = randomKey()

describe('parseMasterKey', () => {
  test('accepts standard base64 of exactly 32 bytes', () => {
    expect(parseMasterKey(KEY, 'CLAUDE_HOOKS_SECRET_KEY')).toEqual(rawKey(KEY))
  })

  const bad: Array<[string, string | undefined, RegExp]> = [
    ['missing', undefined, /is not set/],
    ['empty', '', /is not set/],
    ['blank', '   ', /is not set/],
    ['not base64', 'not a key!!', /not valid standard base64/],
    ['URL-safe alphabet', KEY.replace(/[+/]/g, '-').replace(/=$/, '') + '-', /not valid standard base64|decodes to/],
    ['unpadded', KEY.replace(/=+$/, ''), /not valid standard base64/],
    ['16 bytes', btoa('x'.repeat(16)), /decodes to 16 bytes, not 32/],
    ['33 bytes', btoa('x'.repeat(33)), /decodes to 33 bytes, not 32/],
    ['leading blank', ` ${KEY}`, /has blanks or a line break around the key/],
    ['trailing blank', `${KEY} `, /has blanks or a line break around the key/],
    ['trailing newline', `${KEY}\n`, /has blanks or a line break around the key/],
  ]
  for (const [label, input, message] of bad) {
    test(`refuses a ${label} key with a ConfigError that names the variable and how to make a key`, () => {
      const error = caught(() => parseMasterKey(input, 'CLAUDE_HOOKS_SECRET_KEY'))
      expect(error).toBeInstanceOf(ConfigError)
      const msg = (error as Error).message
      expect(msg).toStartWith('CLAUDE_HOOKS_SECRET_KEY ')
      expect(msg).toMatch(message)
      expect(msg).toContain('openssl rand -base64 32')
      expect(msg).toContain('npx secrets keygen')
      if (input && input.trim().length > 4) expect(msg).not.toContain(input.trim().slice(0, 8))
    })
  }

  test('never prints any part of a rejected key', () => {
    const almost = btoa('secretsecretsecretsecretsecret!') // 31 bytes
    expect(() => parseMasterKey(almost, 'CLAUDE_HOOKS_SECRET_KEY')).toThrow(ConfigError)
    try {
      parseMasterKey(almost, 'CLAUDE_HOOKS_SECRET_KEY')
    } catch (e) {
      for (let i = 0; i + 6 <= almost.length; i++) expect((e as Error).message).not.toContain(almost.slice(i, i + 6))
    }
  })
})

describe('parsePreviousKeys', () => {
  test('is empty when unset', () => {
    expect(parsePreviousKeys(undefined)).toEqual([])
    expect(parsePreviousKeys('')).toEqual([])
  })
  test('decodes a comma-separated list', () => {
    const a = randomKey()
    const b = randomKey()
    expect(parsePreviousKeys(`${a},${b}`)).toEqual([rawKey(a), rawKey(b)])
  })
  test('names the bad entry by its position', () => {
    expect(() => parsePreviousKeys(`${randomKey()},oops!,${randomKey()}`)).toThrow(
      /^CLAUDE_HOOKS_SECRET_KEY_PREVIOUS entry 2 of 3 is not valid standard base64/,
    )
    expect(() => parsePreviousKeys(`${randomKey()},`)).toThrow(/entry 2 of 2 is not set/)
  })
})

describe('generateMasterKey', () => {
  test('makes distinct keys that parse back to 32 bytes', () => {
    const a = generateMasterKey()
    const b = generateMasterKey()
    expect(a).not.toBe(b)
    expect(parseMasterKey(a, 'K').length).toBe(32)
  })
})

describe('key ids', () => {
  test('are the first 8 bytes of HMAC-SHA256(key, "claude-hooks-secrets key-id v1") in hex', async () => {
    const key = rawKey(KEY)
    const hmac = new Bun.CryptoHasher('sha256', key).update('claude-hooks-secrets key-id v1').digest('hex')
    expect(await computeKeyId(key)).toBe(hmac.slice(0, 16))
    expect(await computeKeyId(key)).toMatch(/^[0-9a-f]{16}$/)
  })
  test('a known answer: the all-zero key', async () => {
    // python3 -c "import hmac,hashlib;print(hmac.new(bytes(32),b'claude-hooks-secrets key-id v1',hashlib.sha256).hexdigest()[:16])"
    expect(await computeKeyId(new Uint8Array(32))).toBe('46af32b0815bc6fc')
  })
})

describe('Keyring', () => {
  test('holds the current key first and previous keys for decryption', async () => {
    const prev = randomKey()
    const ring = await Keyring.fromEnv({ CLAUDE_HOOKS_SECRET_KEY: KEY, CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: prev })
    expect(ring.current.id).toBe(await computeKeyId(rawKey(KEY)))
    expect(ring.ids).toEqual([await computeKeyId(rawKey(KEY)), await computeKeyId(rawKey(prev))])
    expect(ring.has(await computeKeyId(rawKey(prev)))).toBe(true)
  })
  test('keys are non-extractable', async () => {
    const ring = await Keyring.fromEnv({ CLAUDE_HOOKS_SECRET_KEY: KEY })
    expect(ring.current.aes.extractable).toBe(false)
    expect(ring.current.hkdf.extractable).toBe(false)
    await expect(crypto.subtle.exportKey('raw', ring.current.aes)).rejects.toThrow()
  })
  test('zeroes the raw key bytes once imported', async () => {
    const raw = rawKey(KEY)
    await Keyring.fromRawKeys(raw)
    expect(raw).toEqual(new Uint8Array(32))
  })
  test('refuses an unknown key id', async () => {
    const ring = await Keyring.fromEnv({ CLAUDE_HOOKS_SECRET_KEY: KEY })
    expect(() => ring.get('0000000000000000')).toThrow(UnknownKeyError)
  })
  test('refuses a missing current key even when previous keys are set', async () => {
    await expect(Keyring.fromEnv({ CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: randomKey() })).rejects.toBeInstanceOf(ConfigError)
  })
  test('hex helper sanity', () => {
    expect(hex('00ff10')).toEqual(new Uint8Array([0, 255, 16]))
  })
})
