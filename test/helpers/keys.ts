import { encodeBase64 } from '../../src/crypto/encoding.ts'

/** A fresh random master key as `CLAUDE_HOOKS_SECRET_KEY` holds it. */
export function randomKey(): string {
  return encodeBase64(crypto.getRandomValues(new Uint8Array(32)))
}

/** Raw key bytes from base64 (a fresh array each call: keyrings zero what they import). */
export function rawKey(b64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
}

/** Bytes from hex. */
export function hex(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16)
  return out
}
