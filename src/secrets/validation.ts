import * as v from 'valibot'
import { ValidationError } from '../errors.ts'

/** The secret name rule of DESIGN.md. */
export const NAME_PATTERN = /^[A-Z][A-Z0-9_]{0,127}$/
/** Largest value, in UTF-8 bytes. */
export const MAX_VALUE_BYTES = 65_536
/** Longest description, in characters (code points). */
export const MAX_DESCRIPTION_CHARS = 500
/** Longest accessor or reason, in characters (code points). */
export const MAX_AUDIT_TEXT_CHARS = 200

// C0 controls (but tab) and DEL: they would let an input rewrite a terminal
// line in `secrets list` or forge a line in a log.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/

const codePoints = (s: string) => {
  let n = 0
  for (const _ of s) n++
  return n
}

// Every message is written here: valibot's defaults quote the received input,
// and a rejected value must never be echoed.
export const SecretNameSchema = v.pipe(
  v.string('must be a string'),
  v.regex(NAME_PATTERN, 'must match ^[A-Z][A-Z0-9_]{0,127}$ (an uppercase letter, then up to 127 uppercase letters, digits or underscores)'),
)

// A lone UTF-16 surrogate has no UTF-8 form: stored, it would silently become
// U+FFFD and the value would change.
const wellFormed = (s: string) => s.isWellFormed()

export const SecretValueSchema = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.check(wellFormed, 'must be valid Unicode (no lone surrogates)'),
  v.maxBytes(MAX_VALUE_BYTES, `must be at most ${MAX_VALUE_BYTES} bytes of UTF-8`),
)

export const DescriptionSchema = v.pipe(
  v.string('must be a string'),
  v.check(wellFormed, 'must be valid Unicode (no lone surrogates)'),
  v.check((s) => codePoints(s) <= MAX_DESCRIPTION_CHARS, `must be at most ${MAX_DESCRIPTION_CHARS} characters`),
  v.check((s) => !CONTROL.test(s), 'must not contain control characters'),
)

const auditText = v.pipe(
  v.string('must be a string'),
  v.check((s) => s.trim().length > 0, 'must not be empty'),
  v.check((s) => codePoints(s) <= MAX_AUDIT_TEXT_CHARS, `must be at most ${MAX_AUDIT_TEXT_CHARS} characters`),
  v.check((s) => !CONTROL.test(s), 'must not contain control characters'),
)
export const AccessorSchema = auditText
export const ReasonSchema = auditText

/**
 * Validates one field.
 * @returns the input, typed.
 * @throws ValidationError naming `field` and the broken rule; the message
 *   never contains the input.
 */
export function validateField<S extends v.GenericSchema>(field: string, schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input)
  if (result.success) return result.output
  const issue = result.issues[0]
  throw new ValidationError(field, issue.type, `${field} ${issue.message}`)
}
