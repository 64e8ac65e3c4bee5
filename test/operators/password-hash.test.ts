import { describe, expect, test } from 'bun:test'
import {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  HASH_BYTES,
  parsePasswordHash,
  SALT_BYTES,
  verifyPassword,
} from '../../src/operators/password-hash.ts'

// Cheap parameters: the scheme under test is the same, only the cost differs.
const FAST = { ln: 10, r: 8, p: 1 }
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64').replace(/=+$/, '')

describe('scrypt known answers (RFC 7914 section 12, https://www.rfc-editor.org/rfc/rfc7914#section-12)', () => {
  const vectors = [
    {
      password: 'password',
      salt: 'NaCl',
      params: { ln: 10, r: 8, p: 16 },
      key: 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
    },
    {
      password: 'pleaseletmein',
      salt: 'SodiumChloride',
      params: { ln: 14, r: 8, p: 1 },
      key: '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887',
    },
  ]
  for (const v of vectors) {
    test(`verifies ${v.password} / ${v.salt} (N=2^${v.params.ln}, r=${v.params.r}, p=${v.params.p})`, async () => {
      const phc = `$scrypt$ln=${v.params.ln},r=${v.params.r},p=${v.params.p}$${Buffer.from(v.salt).toString('base64').replace(/=+$/, '')}$${b64(v.key)}`
      expect(await verifyPassword(v.password, phc)).toBe(true)
      expect(await verifyPassword(`${v.password}x`, phc)).toBe(false)
    })
  }
})

describe('hashPassword', () => {
  test('writes a PHC string with the parameters, a 16-byte salt and a 32-byte hash', async () => {
    const phc = await hashPassword('correct horse battery', FAST)
    expect(phc).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
    const parsed = parsePasswordHash(phc)!
    expect(parsed.params).toEqual(FAST)
    expect(parsed.salt.length).toBe(SALT_BYTES)
    expect(parsed.hash.length).toBe(HASH_BYTES)
  })

  test('never contains the password, and two hashes of one password differ (fresh salt)', async () => {
    const a = await hashPassword('correct horse battery', FAST)
    const b = await hashPassword('correct horse battery', FAST)
    expect(a).not.toBe(b)
    expect(a).not.toContain('correct')
  })

  test('defaults to N=2^17, r=8, p=1 (OWASP minimum for scrypt)', () => {
    expect(DEFAULT_SCRYPT_PARAMS).toEqual({ ln: 17, r: 8, p: 1 })
  })

  test('refuses parameters beyond 256 MiB or four times the default work', async () => {
    await expect(hashPassword('x', { ln: 20, r: 8, p: 1 })).rejects.toThrow(/out of bounds/)
    await expect(hashPassword('x', { ln: 17, r: 8, p: 5 })).rejects.toThrow(/out of bounds/)
    await expect(hashPassword('x', { ln: 0, r: 8, p: 1 })).rejects.toThrow(/out of bounds/)
  })
})

describe('verifyPassword', () => {
  test('accepts the password and refuses any other', async () => {
    const phc = await hashPassword('correct horse battery', FAST)
    expect(await verifyPassword('correct horse battery', phc)).toBe(true)
    expect(await verifyPassword('correct horse batterY', phc)).toBe(false)
    expect(await verifyPassword('', phc)).toBe(false)
  })

  test('compares passwords in Unicode NFKC: composed and decomposed forms match', async () => {
    const phc = await hashPassword('caf\u00e9 au lait 123', FAST)
    expect(await verifyPassword('cafe\u0301 au lait 123', phc)).toBe(true)
  })

  test('a tampered or foreign stored hash never matches', async () => {
    const phc = await hashPassword('correct horse battery', FAST)
    const flipped = phc.slice(0, -2) + (phc.at(-2) === 'A' ? 'B' : 'A') + phc.at(-1)
    const rejects = [
      flipped,
      phc.replace('ln=10', 'ln=11'),
      phc.replace('ln=10', 'ln=30'),
      phc.replace('$scrypt$', '$argon2id$'),
      '',
      'plain text',
    ]
    for (const stored of rejects) expect(await verifyPassword('correct horse battery', stored)).toBe(false)
  })

  test('refuses stored parameters that would cost too much, without running them', async () => {
    const costly = '$scrypt$ln=22,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$' + 'A'.repeat(43)
    expect(parsePasswordHash(costly)).toBeUndefined()
    // Refused by the parameter check: scrypt of ln=22 would need 4 GiB and seconds.
    expect(await verifyPassword('x', costly)).toBe(false)
  })
})
