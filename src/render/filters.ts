/**
 * The placeholder filters of `${SECRET:NAME|FILTER}`: pure functions from a
 * value's bytes to the bytes that replace the placeholder. Each filter works
 * on bytes (values are UTF-8; the filters never decode them), allocates the
 * output once, and returns the value itself when nothing needs to change, so
 * the common case copies nothing.
 *
 * - `raw`: the value as it is.
 * - `json`: the inside of a JSON string (RFC 8259 section 7), no quotes
 *   added: `"` and `\` get a backslash; U+0008, U+0009, U+000A, U+000C and
 *   U+000D the short forms `\b \t \n \f \r`; the other control characters
 *   U+0000-U+001F `\u00XX` (lowercase hex, as JSON.stringify and Python's
 *   json.dumps write it); and U+2028 and U+2029 (line and paragraph
 *   separators) `\u2028` and `\u2029`, which JSON allows raw but JavaScript
 *   before ES2019 does not, so the output is also safe pasted into JS.
 *   Every other byte, non-ASCII UTF-8 and astral characters included, is
 *   kept as it is.
 * - `sh`: one POSIX shell word: the value in single quotes, each `'` written
 *   `'\''` (close, escaped quote, reopen). Always quoted, even when the value
 *   would not need it, so the output's shape does not depend on the value.
 * - `url`: RFC 3986 percent-encoding of every byte except the unreserved
 *   characters `A-Z a-z 0-9 - . _ ~` (uppercase hex): safe in a path
 *   segment, a query value or userinfo.
 * - `base64`: RFC 4648 standard alphabet, padded with `=`.
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */

/** A filter's name, as written after `|` in a placeholder. */
export type FilterName = 'raw' | 'json' | 'sh' | 'url' | 'base64'

/** Every filter, in the order of their codes (the scanner reports a filter by its index here). */
export const FILTER_NAMES: readonly FilterName[] = ['raw', 'json', 'sh', 'url', 'base64']

/** Whether `name` is a filter's name. */
export function isFilterName(name: string): name is FilterName {
  return (FILTER_NAMES as readonly string[]).includes(name)
}

const HEX_LOWER = '0123456789abcdef'
const HEX_UPPER = '0123456789ABCDEF'
const BACKSLASH = 0x5c
const QUOTE = 0x22
const APOSTROPHE = 0x27

/**
 * Per byte: how many bytes `json` writes for it when it is not kept (0 =
 * kept; 2 = a two-byte escape; 6 = `\u00XX`). 0xE2 is 1: it may start
 * U+2028 or U+2029 and is looked at with the two bytes after it.
 */
const JSON_WIDTH = new Uint8Array(256)
/** The letter after `\` for the two-byte escapes. */
const JSON_SHORT = new Uint8Array(256)
for (let c = 0; c < 0x20; c++) JSON_WIDTH[c] = 6
for (const [c, letter] of [
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0c, 'f'],
  [0x0d, 'r'],
  [QUOTE, '"'],
  [BACKSLASH, '\\'],
] as const) {
  JSON_WIDTH[c] = 2
  JSON_SHORT[c] = letter.charCodeAt(0)
}
JSON_WIDTH[0xe2] = 1

/** Whether `v[i]` (0xE2) starts U+2028 or U+2029 (E2 80 A8 / E2 80 A9). */
function isLineSeparator(v: Uint8Array, i: number): boolean {
  return v[i + 1] === 0x80 && (v[i + 2] === 0xa8 || v[i + 2] === 0xa9)
}

/** `json`: the value escaped for the inside of a JSON string (see the file comment). */
export function escapeJson(value: Uint8Array): Uint8Array {
  let size = 0
  const n = value.length
  for (let i = 0; i < n; i++) {
    const w = JSON_WIDTH[value[i]!]!
    if (w === 0) continue
    if (w === 1) {
      if (isLineSeparator(value, i)) size += 3
    } else size += w - 1
  }
  if (size === 0) return value
  const out = new Uint8Array(n + size)
  let o = 0
  for (let i = 0; i < n; i++) {
    const c = value[i]!
    const w = JSON_WIDTH[c]!
    if (w === 0 || (w === 1 && !isLineSeparator(value, i))) {
      out[o++] = c
    } else if (w === 2) {
      out[o++] = BACKSLASH
      out[o++] = JSON_SHORT[c]!
    } else {
      // \u00XX for a control character; \u2028 or \u2029 for E2 80 A8/A9.
      const code = w === 6 ? c : value[i + 2] === 0xa8 ? 0x2028 : 0x2029
      if (w === 1) i += 2
      out[o++] = BACKSLASH
      out[o++] = 0x75
      out[o++] = HEX_LOWER.charCodeAt((code >> 12) & 15)
      out[o++] = HEX_LOWER.charCodeAt((code >> 8) & 15)
      out[o++] = HEX_LOWER.charCodeAt((code >> 4) & 15)
      out[o++] = HEX_LOWER.charCodeAt(code & 15)
    }
  }
  return out
}

/** `sh`: the value as one single-quoted POSIX shell word, `'` as `'\''`. */
export function quoteShell(value: Uint8Array): Uint8Array {
  let quotes = 0
  for (let i = value.indexOf(APOSTROPHE); i >= 0; i = value.indexOf(APOSTROPHE, i + 1)) quotes++
  const out = new Uint8Array(value.length + 2 + 3 * quotes)
  out[0] = APOSTROPHE
  let o = 1
  let from = 0
  for (let i = value.indexOf(APOSTROPHE); i >= 0; i = value.indexOf(APOSTROPHE, i + 1)) {
    out.set(value.subarray(from, i), o)
    o += i - from
    // ' \ ' ' : close the quotes, an escaped quote, reopen.
    out[o++] = APOSTROPHE
    out[o++] = BACKSLASH
    out[o++] = APOSTROPHE
    out[o++] = APOSTROPHE
    from = i + 1
  }
  out.set(value.subarray(from), o)
  out[out.length - 1] = APOSTROPHE
  return out
}

/** RFC 3986 unreserved bytes: ALPHA, DIGIT, `-`, `.`, `_`, `~`. */
const UNRESERVED = new Uint8Array(256)
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') UNRESERVED[ch.charCodeAt(0)] = 1

/** `url`: RFC 3986 percent-encoding of every byte but the unreserved ones. */
export function encodeUrl(value: Uint8Array): Uint8Array {
  let encoded = 0
  for (let i = 0; i < value.length; i++) if (UNRESERVED[value[i]!] === 0) encoded++
  if (encoded === 0) return value
  const out = new Uint8Array(value.length + 2 * encoded)
  let o = 0
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!
    if (UNRESERVED[c] === 1) out[o++] = c
    else {
      out[o++] = 0x25
      out[o++] = HEX_UPPER.charCodeAt(c >> 4)
      out[o++] = HEX_UPPER.charCodeAt(c & 15)
    }
  }
  return out
}

const BASE64 = new Uint8Array(64)
for (let k = 0; k < 64; k++) BASE64[k] = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(k)
const PAD = 0x3d

/** `base64`: RFC 4648 section 4 (standard alphabet), padded. */
export function encodeBase64(value: Uint8Array): Uint8Array {
  const n = value.length
  const out = new Uint8Array(4 * Math.ceil(n / 3))
  let o = 0
  let i = 0
  for (; i + 2 < n; i += 3) {
    const t = (value[i]! << 16) | (value[i + 1]! << 8) | value[i + 2]!
    out[o++] = BASE64[t >> 18]!
    out[o++] = BASE64[(t >> 12) & 63]!
    out[o++] = BASE64[(t >> 6) & 63]!
    out[o++] = BASE64[t & 63]!
  }
  if (i < n) {
    const two = i + 1 < n
    const t = (value[i]! << 16) | (two ? value[i + 1]! << 8 : 0)
    out[o++] = BASE64[t >> 18]!
    out[o++] = BASE64[(t >> 12) & 63]!
    out[o++] = two ? BASE64[(t >> 6) & 63]! : PAD
    out[o++] = PAD
  }
  return out
}

const BY_NAME: Record<FilterName, (value: Uint8Array) => Uint8Array> = {
  raw: (value) => value,
  json: escapeJson,
  sh: quoteShell,
  url: encodeUrl,
  base64: encodeBase64,
}

/**
 * Applies the filter `filter` to a value. The result may be `value` itself
 * (when the filter changes nothing); do not modify it.
 * @throws TypeError for a name that is not a filter.
 */
export function applyFilter(filter: FilterName, value: Uint8Array): Uint8Array {
  // isFilterName, not a property test: `BY_NAME['toString']` exists too.
  if (!isFilterName(filter)) throw new TypeError('not a placeholder filter')
  return BY_NAME[filter](value)
}

const encoder = new TextEncoder()
// ignoreBOM: keep a leading U+FEFF (the default decoder would drop it from the output).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

/** {@link applyFilter} on a string (encoded as UTF-8, the result decoded back). */
export function applyFilterToString(filter: FilterName, value: string): string {
  return decoder.decode(applyFilter(filter, encoder.encode(value)))
}
