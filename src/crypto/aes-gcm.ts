import { DecryptError } from '../errors.ts'
import type { Keyring } from './keyring.ts'

/** Bytes of a GCM nonce: 96 bits, the size GCM is designed for. */
export const IV_BYTES = 12
/** Bytes of a GCM authentication tag: the full 128 bits. */
export const TAG_BYTES = 16

const AAD_PREFIX = 'claude-hooks-secret:v1:'
const encoder = new TextEncoder()

/** The stored form of one encrypted value (the on-disk format of DESIGN.md). */
export interface EncryptedValue {
  ciphertext: Uint8Array<ArrayBuffer>
  iv: Uint8Array<ArrayBuffer>
  auth_tag: Uint8Array<ArrayBuffer>
  key_id: string
}

/**
 * Additional authenticated data for a secret: UTF-8 of
 * `claude-hooks-secret:v1:` + name. Binding the name means a ciphertext moved
 * to another row fails to decrypt.
 */
export function additionalData(name: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(AAD_PREFIX + name)
}

/**
 * AES-GCM with a 128-bit tag over `crypto.subtle`, returning the ciphertext and
 * the tag apart (the stored format keeps them in separate columns).
 */
export async function gcmSeal(
  key: CryptoKey,
  iv: Uint8Array<ArrayBuffer>,
  aad: Uint8Array<ArrayBuffer>,
  plain: Uint8Array<ArrayBuffer>,
): Promise<{ ciphertext: Uint8Array<ArrayBuffer>; tag: Uint8Array<ArrayBuffer> }> {
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: TAG_BYTES * 8 }, key, plain),
  )
  const split = sealed.length - TAG_BYTES
  return { ciphertext: sealed.slice(0, split), tag: sealed.slice(split) }
}

/**
 * Opens what {@link gcmSeal} sealed.
 * @throws DecryptError when authentication fails (any changed bit, wrong key,
 *   wrong additional data).
 */
export async function gcmOpen(
  key: CryptoKey,
  iv: Uint8Array<ArrayBuffer>,
  aad: Uint8Array<ArrayBuffer>,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new DecryptError('decryption failed: the stored IV or tag has the wrong length')
  }
  const sealed = new Uint8Array(ciphertext.length + TAG_BYTES)
  sealed.set(ciphertext, 0)
  sealed.set(tag, ciphertext.length)
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: TAG_BYTES * 8 }, key, sealed),
    )
  } catch (cause) {
    throw new DecryptError(undefined, { cause })
  }
}

/**
 * Encrypts a value for the secret `name` under the keyring's current key with
 * AES-256-GCM, a fresh random 12-byte IV per call, and the tag split off.
 */
export async function encryptValue(
  keyring: Keyring,
  plain: Uint8Array<ArrayBuffer>,
  name: string,
): Promise<EncryptedValue> {
  const key = keyring.current
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const { ciphertext, tag } = await gcmSeal(key.aes, iv, additionalData(name), plain)
  return { ciphertext, iv, auth_tag: tag, key_id: key.id }
}

/**
 * Decrypts a stored value of the secret `name`.
 *
 * @throws UnknownKeyError when no configured key has the row's key id.
 * @throws DecryptError when authentication fails: wrong key, a changed byte in
 *   ciphertext, IV or tag, or a ciphertext that belongs to another name.
 */
export async function decryptValue(
  keyring: Keyring,
  value: Readonly<EncryptedValue>,
  name: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = keyring.get(value.key_id)
  return gcmOpen(key.aes, value.iv, additionalData(name), value.ciphertext, value.auth_tag)
}
