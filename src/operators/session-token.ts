/**
 * Session tokens over Web Crypto only. A token is 32 random bytes (256 bits)
 * in base64url; the database keeps only its SHA-256, and the CSRF token is
 * derived from it, so neither a copy of the database nor a leaked CSRF token
 * gives anyone a session.
 */

/** Random bytes per session token. */
export const SESSION_TOKEN_BYTES = 32

/** 32 bytes in base64url without padding: 43 characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

const encoder = new TextEncoder()
// Domain separation: the CSRF token is an HMAC of this label under the session token.
const CSRF_LABEL = encoder.encode('claude-hooks-secrets csrf v1')

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** A fresh random session token. */
export function newSessionToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(SESSION_TOKEN_BYTES)))
}

/** Whether `text` has the shape of a session token (checked before any lookup). */
export function isSessionTokenShape(text: string | undefined): text is string {
  return text !== undefined && TOKEN_SHAPE.test(text)
}

/** What the database stores for a token: base64url SHA-256 of its text. */
export async function hashSessionToken(token: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(token))))
}

/** The session's CSRF token: base64url HMAC-SHA256 of a fixed label, keyed with the session token. */
export async function csrfTokenFor(token: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(token), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return base64url(new Uint8Array(await crypto.subtle.sign('HMAC', key, CSRF_LABEL)))
}
