/**
 * Session tokens. A token is 32 random bytes (256 bits) in base64url; the
 * database keeps only its SHA-256, and the CSRF token is derived from it, so
 * neither a copy of the database nor a leaked CSRF token gives anyone a
 * session.
 *
 * Hashing uses `node:crypto` (Bun, Node and Deno all have it) rather than
 * `crypto.subtle`, because it is synchronous: a request served from the
 * session cache then never leaves the tick it arrived in, and Bun writes
 * such answers in one go (an answer finished on a later tick was measured
 * several times slower for a 24 KB list; docs/benchmarks.md).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { encodeBase64Url } from '../crypto/encoding.ts'

/** Random bytes per session token. */
export const SESSION_TOKEN_BYTES = 32

/** 32 bytes in base64url without padding: 43 characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

// Domain separation: the CSRF token is an HMAC of this label under the session token.
const CSRF_LABEL = 'claude-hooks-secrets csrf v1'

/** A fresh random session token. */
export function newSessionToken(): string {
  return encodeBase64Url(randomBytes(SESSION_TOKEN_BYTES))
}

/** Whether `text` has the shape of a session token (checked before any lookup). */
export function isSessionTokenShape(text: string | undefined): text is string {
  return text !== undefined && TOKEN_SHAPE.test(text)
}

/** What the database stores for a token: base64url SHA-256 of its text. */
export function hashSessionToken(token: string): string {
  // node:crypto's base64url is unpadded, as encodeBase64Url: the same text, natively (every request hashes its cookie).
  return createHash('sha256').update(token).digest('base64url')
}

/** The session's CSRF token: base64url HMAC-SHA256 of a fixed label, keyed with the session token. */
export function csrfTokenFor(token: string): string {
  return createHmac('sha256', token).update(CSRF_LABEL).digest('base64url')
}
