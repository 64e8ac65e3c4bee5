/**
 * The byte encodings of the project, in one place: standard base64 (RFC 4648
 * section 4), base64url (section 5, without padding) and lowercase hex. Web
 * APIs only, so the layers that use them run unchanged on Bun, Node and Deno.
 */

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Encodes bytes as standard padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

/**
 * Decodes standard padded base64. Returns `undefined` for anything else
 * (URL-safe alphabet, missing padding, whitespace, stray characters), so a key
 * pasted with a typo is refused instead of silently decoding to other bytes.
 */
export function decodeBase64Strict(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!STANDARD_BASE64.test(text)) return undefined
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** Standard base64 without its `=` padding (the PHC string format's alphabet). */
export function encodeBase64Unpadded(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/=+$/, '')
}

/**
 * Decodes standard base64 with or without padding; undefined for anything
 * else (URL-safe alphabet, whitespace, stray characters).
 */
export function decodeBase64Loose(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]*$/.test(text.replace(/={1,2}$/, ''))) return undefined
  const unpadded = text.replace(/={1,2}$/, '')
  if (unpadded.length % 4 === 1) return undefined
  return decodeBase64Strict(unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4))
}

/** base64url (RFC 4648 section 5) without padding. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64Unpadded(bytes).replace(/\+/g, '-').replace(/\//g, '_')
}

/**
 * Decodes unpadded base64url; undefined for anything else (padding, the
 * standard alphabet's `+` and `/`, whitespace, a length no encoder makes).
 */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined
  return decodeBase64Loose(text.replace(/-/g, '+').replace(/_/g, '/'))
}

/** Lowercase hex of bytes. */
export function encodeHex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

/** Bytes of lowercase or uppercase hex of even length; undefined for anything else. */
export function decodeHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined
  const out = new Uint8Array(hex.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** `count` random bytes from the Web Crypto generator, as lowercase hex. */
export function randomHex(count: number): string {
  return encodeHex(crypto.getRandomValues(new Uint8Array(count)))
}
