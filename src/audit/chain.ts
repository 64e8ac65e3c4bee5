/**
 * The audit chain's arithmetic, on Web standards only: the canonical
 * encoding of a row, one link, and the head's MAC.
 *
 *   chain(row) = HMAC-SHA256(K, prev_chain || canonical(row))
 *   head MAC   = HMAC-SHA256(K, UTF-8 JSON ["head", 1, last_id, chain, row_count, chain_key_id])
 *
 * K is the chain key named by the row's `chain_key_id` (chain-keys.ts): a
 * random key of the chain's own since migration 0006, or, for older rows,
 * HKDF of the master key that was current then.
 *
 * `prev_chain` is the raw 32 bytes of the previous row's chain (32 zero bytes
 * before the first row). The canonical encoding is the UTF-8 JSON array
 * [1, id, secret_name, action, accessor, reason, outcome, at, chain_key_id]:
 * JSON of strings and integers has one spelling, and the id inside it binds
 * every row to its place, so a moved row fails to verify.
 *
 * A row with a `label` (migration 0007) is encoded as
 * [2, id, secret_name, action, accessor, reason, outcome, at, chain_key_id, label];
 * a row whose label is null keeps the encoding above, so rows chained before
 * the column existed still verify, and setting or clearing a label changes
 * the encoding, hence the link.
 *
 * A row with a `token_id` or a `client_address` (migration 0009: a client's
 * delivery or refusal) is encoded as
 * [3, id, secret_name, action, accessor, reason, outcome, at, chain_key_id, label, token_id, client_address]
 * (null where absent); rows with neither keep the encodings above.
 *
 * A row with a `version` or a `ciphertext_sha256` (migration 0010: a
 * mutation of a secret) is encoded as
 * [4, id, secret_name, action, accessor, reason, outcome, at, chain_key_id, label, token_id, client_address, version, ciphertext_sha256]
 * (null where absent); rows with neither keep the encodings above.
 */
import { constantTimeEqualText } from '../crypto/constant-time.ts'
import { decodeHex, encodeHex } from '../crypto/encoding.ts'

/** The chain value before the first row. */
export const GENESIS_CHAIN = '0'.repeat(64)

const encoder = new TextEncoder()

/** The fields of an audit row that the chain covers. */
export interface ChainFields {
  id: number
  secret_name: string
  action: string
  accessor: string
  reason: string
  outcome: string
  at: string
  chain_key_id: string
  /** The caller's declared label; null or absent: none. */
  label?: string | null | undefined
  /** The client token's public id (migration 0009); null or absent: none. */
  token_id?: string | null | undefined
  /** The client's address (migration 0009); null or absent: none. */
  client_address?: string | null | undefined
  /** The secret version a mutation wrote (migration 0010); null or absent: none. */
  version?: number | null | undefined
  /** Hex SHA-256 of the ciphertext it wrote (migration 0010); null or absent: none. */
  ciphertext_sha256?: string | null | undefined
}

/** The canonical bytes of a row's chained fields. */
export function canonicalRow(row: ChainFields): Uint8Array<ArrayBuffer> {
  const v1 = [row.id, row.secret_name, row.action, row.accessor, row.reason, row.outcome, row.at, row.chain_key_id]
  if (row.version != null || row.ciphertext_sha256 != null) {
    const client = [row.label ?? null, row.token_id ?? null, row.client_address ?? null]
    return encoder.encode(JSON.stringify([4, ...v1, ...client, row.version ?? null, row.ciphertext_sha256 ?? null]))
  }
  if (row.token_id != null || row.client_address != null) {
    return encoder.encode(JSON.stringify([3, ...v1, row.label ?? null, row.token_id ?? null, row.client_address ?? null]))
  }
  return encoder.encode(JSON.stringify(row.label == null ? [1, ...v1] : [2, ...v1, row.label]))
}

/** What one link's HMAC covers: the previous chain's 32 bytes, then the row's canonical bytes. */
export function linkInput(prevChain: string, row: ChainFields): Uint8Array<ArrayBuffer> {
  const body = canonicalRow(row)
  const input = new Uint8Array(32 + body.length)
  input.set(decodeHex(prevChain)!, 0)
  input.set(body, 32)
  return input
}

/** One link: hex HMAC-SHA256(key, prev || canonical(row)). */
export async function chainLink(key: CryptoKey, prevChain: string, row: ChainFields): Promise<string> {
  return encodeHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, linkInput(prevChain, row))))
}

/** What the head's MAC covers. */
export interface HeadFields {
  last_id: number
  chain: string
  row_count: number
  chain_key_id: string
}

/** What the head's MAC covers: UTF-8 JSON ["head", 1, last_id, chain, row_count, chain_key_id]. */
export function headInput(head: HeadFields): Uint8Array<ArrayBuffer> {
  return encoder.encode(JSON.stringify(['head', 1, head.last_id, head.chain, head.row_count, head.chain_key_id]))
}

/** The head's MAC: hex HMAC-SHA256(key, {@link headInput}). */
export async function headMac(key: CryptoKey, head: HeadFields): Promise<string> {
  return encodeHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, headInput(head))))
}

/** Constant-time equality of two chain values or MACs (hex). */
export function chainEquals(a: string, b: string): boolean {
  return constantTimeEqualText(a, b)
}
