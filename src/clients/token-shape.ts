/**
 * The shape of a client token (client-token.ts) and its public id, apart
 * from the hashing: client mode checks a token's shape at every CLI start,
 * and loading `node:crypto` for that would cost every render several
 * milliseconds of start-up.
 */

/** Random bytes per token. */
export const CLIENT_TOKEN_BYTES = 32
/** The prefix that tells a client token apart (and lets secret scanners find one). */
export const CLIENT_TOKEN_PREFIX = 'chs_'
/** Bytes of the token that are its public id. */
export const ID_BYTES = 8

const TOKEN_SHAPE = /^chs_[A-Za-z0-9_-]{43}$/
/** A token id: 16 lowercase hex characters. */
export const TOKEN_ID_PATTERN = /^[0-9a-f]{16}$/

/**
 * The id of a token-shaped text, or undefined when it is not one (checked
 * before any lookup). Only a shape check: whether the token is real is the
 * stored hash's to say.
 */
export function clientTokenId(text: string | undefined): string | undefined {
  if (text === undefined || !TOKEN_SHAPE.test(text)) return undefined
  const bytes = Buffer.from(text.slice(CLIENT_TOKEN_PREFIX.length), 'base64url')
  if (bytes.length !== CLIENT_TOKEN_BYTES) return undefined
  return bytes.subarray(0, ID_BYTES).toString('hex')
}
