/**
 * The server's input rules (DESIGN.md "Names and values"), checked in the
 * browser so an operator sees a mistake while typing. The server checks them
 * again; these only save a round trip and never replace that check.
 */

import { codePointLength, hasUnsafeText, MAX_DESCRIPTION_CHARS, MAX_VALUE_BYTES, NAME_PATTERN, secretReference } from '../../src/rules.ts'

// The very definitions the server validates with (src/rules.ts has no
// dependencies, so the bundle gains a few hundred bytes, not valibot).
export { MAX_DESCRIPTION_CHARS, MAX_VALUE_BYTES, NAME_PATTERN, secretReference }

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

/** A message naming the broken rule, or null when the description is acceptable. */
export function checkDescription(description: string): string | null {
  // Code points, as the server counts "characters": an emoji is one.
  const length = codePointLength(description)
  if (length > MAX_DESCRIPTION_CHARS) return `At most ${MAX_DESCRIPTION_CHARS} characters (this is ${length}).`
  // The server refuses these too (src/rules.ts UNSAFE_TEXT): C0 and C1
  // controls but tab, line breaks included, and bidirectional overrides.
  if (hasUnsafeText(description)) return 'One line only: no line breaks, control characters or text-direction overrides.'
  return null
}
