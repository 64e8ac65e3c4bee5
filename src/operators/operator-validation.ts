import * as v from 'valibot'
import { codePointLength } from '../rules.ts'

/** Username rule: a lowercase letter, then up to 63 lowercase letters, digits, `.`, `_` or `-`. */
export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/
/** Shortest password, in characters (code points). */
export const MIN_PASSWORD_CHARS = 12
/** Longest password, in characters (code points): longer adds nothing and only costs hashing time. */
export const MAX_PASSWORD_CHARS = 1024

// Every message is written here: valibot's defaults quote the received input,
// and a password must never be echoed.
export const UsernameSchema = v.pipe(
  v.string('must be a string'),
  v.regex(
    USERNAME_PATTERN,
    'must be 1 to 64 characters: a lowercase letter, then lowercase letters, digits, ".", "_" or "-"',
  ),
)

/** The longest password, counted in characters (code points); also what a login accepts. */
export const PasswordMaxLength = v.check((s: string) => codePointLength(s) <= MAX_PASSWORD_CHARS, `must be at most ${MAX_PASSWORD_CHARS} characters`)

export const PasswordSchema = v.pipe(
  v.string('must be a string'),
  v.check((s) => codePointLength(s) >= MIN_PASSWORD_CHARS, `must be at least ${MIN_PASSWORD_CHARS} characters`),
  PasswordMaxLength,
)
