/**
 * The audit chain's own keys, on Web standards only.
 *
 * A `random` chain key is 32 random bytes; its id is the first 8 bytes of
 * HMAC-SHA256(key, "claude-hooks-secrets chain-key-id v1") as hex. It is
 * stored sealed with AES-256-GCM under a master key: `sealed` is
 * base64(12-byte IV || ciphertext || 16-byte tag) and the additional data
 * `claude-hooks-secrets audit-chain-key:v1:<id>:<seq>:<kind>` binds the
 * key to its id and its place in the order, so a sealed key cannot be moved
 * to another row or given another place.
 *
 * A `derived` chain key is the key the code before migration 0006 chained
 * under: HKDF-SHA256(master key, salt "claude-hooks-secrets audit-chain v1",
 * info "audit-chain"), its id the master key's id. Once sealed like a random
 * key, it verifies without that master key.
 */
import { gcmOpen, gcmSeal, IV_BYTES, TAG_BYTES } from '../crypto/aes-gcm.ts'
import { decodeBase64Strict, encodeBase64, encodeHex } from '../crypto/encoding.ts'
import type { MasterKey } from '../crypto/keyring.ts'
import { DecryptError } from '../errors.ts'

/** A chain key as stored (an `audit_chain_key` row, and the head's `chain_key`). */
export interface ChainKeyRecord {
  id: string
  seq: number
  kind: 'random' | 'derived'
  sealed_by: string | null
  sealed: string | null
}

const encoder = new TextEncoder()
const ID_LABEL = encoder.encode('claude-hooks-secrets chain-key-id v1')
const HKDF_SALT = encoder.encode('claude-hooks-secrets audit-chain v1')
const HKDF_INFO = encoder.encode('audit-chain')

function additionalData(record: Pick<ChainKeyRecord, 'id' | 'seq' | 'kind'>): Uint8Array<ArrayBuffer> {
  return encoder.encode(`claude-hooks-secrets audit-chain-key:v1:${record.id}:${record.seq}:${record.kind}`)
}

/** Imports raw chain key bytes as a non-extractable HMAC-SHA256 key, and zeroes the bytes. */
export async function importChainKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  } finally {
    raw.fill(0)
  }
}

/** A fresh random chain key: its raw bytes and its id. */
export async function newChainKey(): Promise<{ id: string; raw: Uint8Array<ArrayBuffer> }> {
  const raw = crypto.getRandomValues(new Uint8Array(32))
  const hmac = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const id = encodeHex(new Uint8Array(await crypto.subtle.sign('HMAC', hmac, ID_LABEL)).subarray(0, 8))
  return { id, raw }
}

/** The raw bytes of the derived (pre-0006) chain key of a master key. */
export async function derivedChainKeyBytes(master: MasterKey): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: HKDF_SALT, info: HKDF_INFO }, master.hkdf, 256),
  )
}

/** Seals raw chain key bytes under a master key (the bytes are left as they are). */
export async function sealChainKey(
  master: MasterKey,
  record: Pick<ChainKeyRecord, 'id' | 'seq' | 'kind'>,
  raw: Uint8Array<ArrayBuffer>,
): Promise<{ sealed_by: string; sealed: string }> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const { ciphertext, tag } = await gcmSeal(master.aes, iv, additionalData(record), raw)
  const out = new Uint8Array(IV_BYTES + ciphertext.length + TAG_BYTES)
  out.set(iv, 0)
  out.set(ciphertext, IV_BYTES)
  out.set(tag, IV_BYTES + ciphertext.length)
  return { sealed_by: master.id, sealed: encodeBase64(out) }
}

/**
 * Opens a sealed chain key with the master key that sealed it.
 * @throws DecryptError when the sealed bytes, the id, the place or the kind were changed.
 */
export async function openChainKey(master: MasterKey, record: ChainKeyRecord): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = record.sealed === null ? undefined : decodeBase64Strict(record.sealed)
  if (!bytes || bytes.length !== IV_BYTES + 32 + TAG_BYTES) {
    throw new DecryptError(`audit chain key ${record.id} is not a sealed key`)
  }
  return gcmOpen(master.aes, bytes.slice(0, IV_BYTES), additionalData(record), bytes.subarray(IV_BYTES, IV_BYTES + 32), bytes.subarray(IV_BYTES + 32))
}

/** Parses the head's `chain_key` JSON (null: the head was never sealed). */
export function parseChainKeyRecord(json: string | null): ChainKeyRecord | undefined {
  if (json === null) return undefined
  const r = JSON.parse(json) as ChainKeyRecord
  return { id: r.id, seq: Number(r.seq), kind: r.kind, sealed_by: r.sealed_by, sealed: r.sealed }
}
