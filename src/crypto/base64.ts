/**
 * Standard base64 (RFC 4648 section 4, with padding) over Web APIs only, so the
 * crypto layer runs unchanged on Bun, Node and Deno.
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

/** Lowercase hex of bytes. */
export function encodeHex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}
