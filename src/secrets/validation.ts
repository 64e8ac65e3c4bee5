import * as v from 'valibot'
import {
  codePointLength as codePoints,
  hasUnsafeText,
  MAX_AUDIT_TEXT_CHARS,
  MAX_DESCRIPTION_CHARS,
  MAX_VALUE_BYTES,
  NAME_PATTERN,
} from '../rules.ts'

export { MAX_AUDIT_TEXT_CHARS, MAX_DESCRIPTION_CHARS, MAX_VALUE_BYTES, NAME_PATTERN } from '../rules.ts'
export { validateField } from '../validate-field.ts'

const UNSAFE_MESSAGE = 'must not contain control characters or bidirectional formatting characters'

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
  v.check((s) => !hasUnsafeText(s), UNSAFE_MESSAGE),
)

const auditText = v.pipe(
  v.string('must be a string'),
  v.check((s) => s.trim().length > 0, 'must not be empty'),
  v.check((s) => codePoints(s) <= MAX_AUDIT_TEXT_CHARS, `must be at most ${MAX_AUDIT_TEXT_CHARS} characters`),
  v.check((s) => !hasUnsafeText(s), UNSAFE_MESSAGE),
)
export const AccessorSchema = auditText
export const ReasonSchema = auditText
export const LabelSchema = auditText

/** A client token's public id (src/clients/client-token.ts): 16 lowercase hex characters. */
export const TokenIdSchema = v.pipe(v.string('must be a string'), v.regex(/^[0-9a-f]{16}$/, 'must be 16 lowercase hex characters'))

/** A peer's network address as the server adapter reports it (IPv4, IPv6 with an optional zone). */
export const ClientAddressSchema = v.pipe(
  v.string('must be a string'),
  v.regex(/^[0-9A-Za-z.:%_-]{1,64}$/, 'must be an IP address (at most 64 characters)'),
)


/** A check-and-set version (`If-Match`, `--if-version`): a whole number from 0 (must not exist yet) up. */
export const IfVersionSchema = v.pipe(
  v.number('must be a number'),
  v.integer('must be a whole number'),
  v.minValue(0, 'must be 0 or more'),
  v.maxValue(2 ** 31 - 1, `must be at most ${2 ** 31 - 1}`),
)

/** A version to roll back to: a whole number from 1 up. */
export const VersionSchema = v.pipe(
  v.number('must be a number'),
  v.integer('must be a whole number'),
  v.minValue(1, 'must be 1 or more'),
  v.maxValue(2 ** 31 - 1, `must be at most ${2 ** 31 - 1}`),
)
