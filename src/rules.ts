/**
 * The input rules of DESIGN.md "Names and values", dependency-free so that
 * the server (validation.ts, valibot around these) and the browser
 * (web/src/secret-rules.ts) import the very same definitions.
 */

/** The secret name rule. */
export const NAME_PATTERN = /^[A-Z][A-Z0-9_]{0,127}$/
/** Largest value, in UTF-8 bytes. */
export const MAX_VALUE_BYTES = 65_536
/** Longest description, in characters (code points). */
export const MAX_DESCRIPTION_CHARS = 500
/** Longest accessor, label or reason, in characters (code points). */
export const MAX_AUDIT_TEXT_CHARS = 200

/**
 * Characters no free text may hold (descriptions, reasons, accessor labels):
 * C0 controls but tab, DEL and the C1 controls U+0080-U+009F (they move a
 * terminal's cursor, erase lines, or in xterm start escape sequences: they
 * would let an input rewrite a line of `secrets list` or forge a log line),
 * and the bidirectional marks, embeddings, overrides and isolates (U+061C,
 * U+200E, U+200F, U+202A-U+202E, U+2066-U+2069: they make text display in
 * another order than it is stored, "Trojan Source").
 */
export const UNSAFE_TEXT = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
const UNSAFE_TEXT_ALL = new RegExp(UNSAFE_TEXT.source, 'g')
// The unsafe characters JSON.stringify leaves raw: those past U+007F.
const UNSAFE_IN_JSON = /[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

/** Whether `text` holds a character of {@link UNSAFE_TEXT}. */
export function hasUnsafeText(text: string): boolean {
  return UNSAFE_TEXT.test(text)
}

/**
 * `text` with every character of {@link UNSAFE_TEXT} written as `\uXXXX`, for
 * printing text that may predate the rule (an old row) or come from the
 * database unchecked.
 */
export function escapeUnsafeText(text: string): string {
  return text.replace(UNSAFE_TEXT_ALL, escapeChar)
}

/**
 * A JSON document (JSON.stringify's output, pretty or not) with the unsafe
 * characters JSON.stringify leaves raw (C1 controls, bidirectional
 * formatting) written as `\uXXXX` escapes: the same JSON value, printable.
 */
export function escapeUnsafeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, escapeChar)
}

/** Length in code points, as the limits count "characters": an emoji is one. */
export function codePointLength(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}

/**
 * The placeholder that references a secret in an artifact (DESIGN.md
 * "Placeholder syntax"): what the UI's copy button puts on the clipboard.
 * test/rules.test.ts renders it through the scanner to keep the two agreed.
 */
export function secretReference(name: string): string {
  return `\${SECRET:${name}}`
}
