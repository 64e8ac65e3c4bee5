/**
 * Equality that takes the same time wherever the inputs differ, for secrets
 * and anything derived from them (tokens, MACs, password hashes, chain
 * links). Only the length may show. Written here because the layers that
 * need it run on Web standards alone, which offer no timingSafeEqual
 * (node:crypto has one, Hono's hashes both sides first and is async).
 */

const encoder = new TextEncoder()

/** Whether `a` and `b` hold the same bytes, in time that depends on their length only. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/** The same for two strings, compared as their UTF-8 bytes. */
export function constantTimeEqualText(a: string, b: string): boolean {
  return constantTimeEqual(encoder.encode(a), encoder.encode(b))
}
