/**
 * The server's input rules (DESIGN.md "Names and values"), checked in the
 * browser so an operator sees a mistake while typing. The server checks them
 * again; these only save a round trip and never replace that check.
 */

/** The name rule, verbatim from the server so the message can quote it. */
export const NAME_PATTERN = /^[A-Z][A-Z0-9_]{0,127}$/
/** Largest value the server stores, in UTF-8 bytes. */
export const MAX_VALUE_BYTES = 65_536
/** Longest description the server stores, in characters. */
export const MAX_DESCRIPTION_CHARS = 500

/** A message naming the broken rule, or null when the name is valid. */
export function checkName(name: string): string | null {
  if (name === '') return 'Enter a name.'
  if (NAME_PATTERN.test(name)) return null
  if (name.length > 128) return `At most 128 characters (rule ${NAME_PATTERN.source}).`
  // Lowercase is the usual slip; say so first, then the whole rule.
  const lead = /[a-z]/.test(name) ? 'Lowercase letters are not allowed. ' : ''
  return `${lead}Use A–Z, 0–9 and _, starting with a letter A–Z (rule ${NAME_PATTERN.source}).`
}

/**
 * A message naming the broken rule, or null when the value is acceptable.
 * Only the byte length is computed; the value itself goes nowhere.
 */
export function checkValue(value: string): string | null {
  if (value === '') return 'Enter a value.'
  const bytes = new TextEncoder().encode(value).length
  if (bytes > MAX_VALUE_BYTES) {
    return `At most ${MAX_VALUE_BYTES.toLocaleString('en')} bytes of UTF-8 (this is ${bytes.toLocaleString('en')}).`
  }
  return null
}

// C0 controls except tab, and DEL: the server refuses them (they could rewrite
// a terminal line in `secrets list` or forge a log line). Line breaks included.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/

/** A message naming the broken rule, or null when the description is acceptable. */
export function checkDescription(description: string): string | null {
  // Code points, as the server counts "characters": an emoji is one.
  const length = [...description].length
  if (length > MAX_DESCRIPTION_CHARS) return `At most ${MAX_DESCRIPTION_CHARS} characters (this is ${length}).`
  if (CONTROL.test(description)) return 'One line only: no line breaks or other control characters.'
  return null
}
