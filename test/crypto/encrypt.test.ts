import { beforeAll, describe, expect, test } from 'bun:test'
import { additionalData, decryptValue, encryptValue, type EncryptedValue } from '../../src/crypto/aes-gcm.ts'
import { Keyring } from '../../src/crypto/keyring.ts'
import { DecryptError, UnknownKeyError } from '../../src/errors.ts'
import { randomKey, rawKey } from '../helpers/keys.ts'

const encoder = new TextEncoder()
const ring = await Keyring.fromRawKeys(rawKey(randomKey()))
const other = await Keyring.fromRawKeys(rawKey(randomKey()))

function flipBit(bytes: Uint8Array<ArrayBuffer>, bit: number): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice()
  copy[bit >> 3]! ^= 1 << (bit & 7)
  return copy
}

describe('encryptValue', () => {
  test('produces the documented shape: 12-byte IV, 16-byte tag, ciphertext as long as the plaintext, current key id', async () => {
    const sealed = await encryptValue(ring, encoder.encode('ghp_example_token'), 'GITHUB_TOKEN')
    expect(sealed.iv.length).toBe(12)
    expect(sealed.auth_tag.length).toBe(16)
    expect(sealed.ciphertext.length).toBe('ghp_example_token'.length)
    expect(sealed.key_id).toBe(ring.current.id)
    expect(new TextDecoder().decode(sealed.ciphertext)).not.toContain('ghp_example')
  })

  test('uses a fresh IV on every call', async () => {
    const ivs = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const { iv } = await encryptValue(ring, encoder.encode('same'), 'SAME')
      ivs.add(Buffer.from(iv).toString('hex'))
    }
    expect(ivs.size).toBe(200)
  })

  test('additional data is "claude-hooks-secret:v1:" + name', () => {
    expect(new TextDecoder().decode(additionalData('API_KEY'))).toBe('claude-hooks-secret:v1:API_KEY')
  })
})

describe('random round trips', () => {
  test('500 random values and names decrypt to what went in', async () => {
    for (let i = 0; i < 500; i++) {
      const length = 1 + Math.floor(Math.random() * 2048)
      const plain = crypto.getRandomValues(new Uint8Array(length))
      const name = `K${i}_${Math.floor(Math.random() * 1e6)}`
      const sealed = await encryptValue(ring, plain.slice(), name)
      expect(await decryptValue(ring, sealed, name)).toEqual(plain)
    }
  })
})

describe('decryptValue refuses', () => {
  let sealed: EncryptedValue
  const name = 'DEPLOY_KEY'
  beforeAll(async () => {
    sealed = await encryptValue(ring, encoder.encode('value-under-test'), name)
  })

  test('nothing when the row is untouched (the control case)', async () => {
    expect(await decryptValue(ring, sealed, name)).toEqual(encoder.encode('value-under-test'))
  })

  test('a flipped bit anywhere in the ciphertext', async () => {
    for (let bit = 0; bit < sealed.ciphertext.length * 8; bit += 7) {
      await expect(decryptValue(ring, { ...sealed, ciphertext: flipBit(sealed.ciphertext, bit) }, name)).rejects.toBeInstanceOf(
        DecryptError,
      )
    }
  })
  test('a flipped bit anywhere in the IV', async () => {
    for (let bit = 0; bit < 96; bit += 5) {
      await expect(decryptValue(ring, { ...sealed, iv: flipBit(sealed.iv, bit) }, name)).rejects.toBeInstanceOf(DecryptError)
    }
  })
  test('a flipped bit anywhere in the tag', async () => {
    for (let bit = 0; bit < 128; bit += 3) {
      await expect(decryptValue(ring, { ...sealed, auth_tag: flipBit(sealed.auth_tag, bit) }, name)).rejects.toBeInstanceOf(
        DecryptError,
      )
    }
  })
  test('a truncated tag or IV', async () => {
    await expect(decryptValue(ring, { ...sealed, auth_tag: sealed.auth_tag.slice(0, 12) }, name)).rejects.toBeInstanceOf(DecryptError)
    await expect(decryptValue(ring, { ...sealed, iv: sealed.iv.slice(0, 8) }, name)).rejects.toBeInstanceOf(DecryptError)
  })
  test("another name's additional data (a ciphertext moved to another row)", async () => {
    await expect(decryptValue(ring, sealed, 'OTHER_KEY')).rejects.toBeInstanceOf(DecryptError)
  })
  test('a wrong key under the same key id', async () => {
    // The row claims `other`'s key id, but was sealed with `ring`'s key.
    await expect(decryptValue(other, { ...sealed, key_id: other.current.id }, name)).rejects.toBeInstanceOf(DecryptError)
  })
  test('a key id no configured key has', async () => {
    await expect(decryptValue(other, sealed, name)).rejects.toBeInstanceOf(UnknownKeyError)
  })
  test('error messages never contain the plaintext', async () => {
    const error = await decryptValue(ring, sealed, 'OTHER_KEY').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(DecryptError)
    expect((error as DecryptError).code).toBe('decrypt_failed')
    expect(String(error)).not.toContain('value-under-test')
    expect(String((error as Error).cause)).not.toContain('value-under-test')
  })
})

describe('previous keys', () => {
  test('a keyring with the old key as previous decrypts old rows and encrypts under the new key', async () => {
    const oldKey = randomKey()
    const oldRing = await Keyring.fromRawKeys(rawKey(oldKey))
    const sealed = await encryptValue(oldRing, encoder.encode('v'), 'A')
    const newRing = await Keyring.fromRawKeys(rawKey(randomKey()), [rawKey(oldKey)])
    expect(await decryptValue(newRing, sealed, 'A')).toEqual(encoder.encode('v'))
    expect((await encryptValue(newRing, encoder.encode('v'), 'A')).key_id).toBe(newRing.current.id)
    expect(newRing.current.id).not.toBe(oldRing.current.id)
  })
})
