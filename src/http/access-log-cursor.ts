/**
 * The opaque `cursor` of `GET /secrets/{name}/access-log`: base64url of
 * `al1:<id>`, where id is the last entry of the page just read (the next
 * page holds the entries with smaller ids). Clients must not build it; the
 * `al1` prefix lets the format change later and still refuse old cursors
 * cleanly.
 */

import { decodeBase64Url, encodeBase64Url } from '../crypto/encoding.ts'

const encoder = new TextEncoder()
const PREFIX = 'al1:'
const ID = /^[1-9][0-9]{0,15}$/
const BASE64URL = /^[A-Za-z0-9_-]{1,64}$/

/** The cursor that continues after the entry with this id. */
export function encodeAccessLogCursor(id: number): string {
  return encodeBase64Url(encoder.encode(`${PREFIX}${id}`))
}

/** The id a cursor continues after, or undefined for anything this module did not write. */
export function decodeAccessLogCursor(cursor: string): number | undefined {
  if (!BASE64URL.test(cursor)) return undefined
  const bytes = decodeBase64Url(cursor)
  if (bytes === undefined) return undefined
  const text = new TextDecoder().decode(bytes)
  if (!text.startsWith(PREFIX)) return undefined
  const digits = text.slice(PREFIX.length)
  if (!ID.test(digits)) return undefined
  const id = Number(digits)
  return Number.isSafeInteger(id) ? id : undefined
}
