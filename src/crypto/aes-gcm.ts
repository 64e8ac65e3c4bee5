import { DecryptError } from '../errors.ts'
import { encodeHex } from './encoding.ts'
import type { Keyring } from './keyring.ts'

/** Bytes of a GCM nonce: 96 bits, the size GCM is designed for. */
export const IV_BYTES = 12
/** Bytes of a GCM authentication tag: the full 128 bits. */
export const TAG_BYTES = 16

const AAD_PREFIX = 'claude-hooks-secret:v1:'
const AAD_V2_PREFIX = 'claude-hooks-secret:v2:'
const encoder = new TextEncoder()

/**
 * Which additional data a stored value is sealed with: format 1 binds the
 * name (`claude-hooks-secret:v1:NAME`, rows written before versions), format
 * 2 the name and the version (`claude-hooks-secret:v2:NAME:VERSION`), so an
 * older ciphertext of the same secret put back in the row, or a kept version
 * moved to another version number, fails to decrypt.
 */
export interface SealBinding {
  aad_format: number
  version: number
}

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
export function additionalData(name: string, binding?: SealBinding): Uint8Array<ArrayBuffer> {
  if (binding === undefined || binding.aad_format === 1) return encoder.encode(AAD_PREFIX + name)
  if (binding.aad_format !== 2 || !Number.isSafeInteger(binding.version) || binding.version < 1) {
    throw new DecryptError('decryption failed: the stored additional-data format or version is not valid')
  }
  return encoder.encode(`${AAD_V2_PREFIX}${name}:${binding.version}`)
}

/** The binding of a new version: format 2 with that version. */
export const bindVersion = (version: number): SealBinding => ({ aad_format: 2, version })

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
  binding?: SealBinding,
): Promise<EncryptedValue> {
  const key = keyring.current
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const { ciphertext, tag } = await gcmSeal(key.aes, iv, additionalData(name, binding), plain)
  return { ciphertext, iv, auth_tag: tag, key_id: key.id }
}

/** Hex SHA-256 of a ciphertext: what a mutation's audit row records (`ciphertext_sha256`). */
export async function ciphertextSha256(ciphertext: Uint8Array<ArrayBuffer>): Promise<string> {
  return encodeHex(new Uint8Array(await crypto.subtle.digest('SHA-256', ciphertext)))
}

/**
 * Decrypts a stored value of the secret `name`, with the additional data its
 * `aad_format` and `version` say (format 1 when absent).
 *
 * @throws UnknownKeyError when no configured key has the row's key id.
 * @throws DecryptError when authentication fails: wrong key, a changed byte in
 *   ciphertext, IV or tag, or a ciphertext that belongs to another name.
 */
export async function decryptValue(
  keyring: Keyring,
  value: Readonly<EncryptedValue & Partial<SealBinding>>,
  name: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = keyring.get(value.key_id)
  const binding = value.aad_format === undefined || value.aad_format === 1 ? undefined : { aad_format: value.aad_format, version: value.version ?? 0 }
  return gcmOpen(key.aes, value.iv, additionalData(name, binding), value.ciphertext, value.auth_tag)
}
