/**
 * Client tokens: `chs_` followed by base64url (no padding) of 32 random
 * bytes, 47 characters in all. The first 8 of the bytes, as 16 lowercase hex
 * characters, are the token's public id: lists, audit rows and revocation
 * name a token by it, and a lookup goes by it. The other 24 bytes (192
 * bits) are known only to the holder. The database keeps the id and the
 * SHA-256 of the whole text, never the token; the stored hash is compared
 * in constant time.
 *
 * `node:crypto` (Bun, Node and Deno all have it) because it is synchronous,
 * like the session tokens (src/operators/session-token.ts).
 */
import { createHash, randomBytes } from 'node:crypto'
import { constantTimeEqualText } from '../crypto/constant-time.ts'
import { CLIENT_TOKEN_BYTES, CLIENT_TOKEN_PREFIX, ID_BYTES } from './token-shape.ts'

export { CLIENT_TOKEN_BYTES, CLIENT_TOKEN_PREFIX, clientTokenId, TOKEN_ID_PATTERN } from './token-shape.ts'

/** A fresh token, its id, and the hash to store. */
export function newClientToken(): { token: string; id: string; hash: string } {
  const bytes = randomBytes(CLIENT_TOKEN_BYTES)
  const token = CLIENT_TOKEN_PREFIX + bytes.toString('base64url')
  const id = bytes.subarray(0, ID_BYTES).toString('hex')
  bytes.fill(0)
  return { token, id, hash: hashClientToken(token) }
}

/** What the database stores for a token: hex SHA-256 of its text. */
export function hashClientToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Whether `token` hashes to `storedHash`, compared in constant time. */
export function clientTokenMatches(token: string, storedHash: string): boolean {
  return constantTimeEqualText(hashClientToken(token), storedHash)
}
