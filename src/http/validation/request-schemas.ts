import * as v from 'valibot'
import { PasswordMaxLength } from '../../operators/operator-validation.ts'
import { DescriptionSchema, SecretNameSchema, SecretValueSchema, VersionSchema } from '../../secrets/validation.ts'
import { decodeAccessLogCursor } from '../access-log-cursor.ts'

/**
 * The valibot schemas of every request input. Objects are strict (unknown
 * fields are refused) and every message is hand-written: valibot's defaults
 * quote the input.
 */

/** Default and largest `limit` of an access-log page. */
export const ACCESS_LOG_DEFAULT_LIMIT = 50
export const ACCESS_LOG_MAX_LIMIT = 200

/** `POST /session`. The password is checked for length only: its rules apply when it is set. */
export const LoginBody = v.strictObject({
  username: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(64, 'must be at most 64 characters')),
  password: v.pipe(
    v.string('must be a string'),
    v.minLength(1, 'must not be empty'),
    PasswordMaxLength,
  ),
})

/** `POST /secrets`. */
export const CreateSecretBody = v.strictObject({
  name: SecretNameSchema,
  value: SecretValueSchema,
  description: v.optional(DescriptionSchema),
})

/** `PUT /secrets/{name}`: an omitted description keeps the stored one. */
export const ReplaceSecretBody = v.strictObject({
  value: SecretValueSchema,
  description: v.optional(DescriptionSchema),
})

/**
 * `PATCH /secrets/{name}`: the description alone. A `value` is refused by
 * name (the value changes only by PUT, as a new version).
 */
export const PatchSecretBody = v.strictObject({
  // First, so a body with a value is named for it before anything else.
  value: v.optional(v.never('is not allowed here: PATCH changes the description alone; PUT /secrets/{name} replaces the value')),
  description: DescriptionSchema,
})

/** `POST /secrets/{name}/rollback`. */
export const RollbackBody = v.strictObject({ version: VersionSchema })

/** Routes that take no body accept none, or an empty object. */
export const EmptyBody = v.strictObject({})

/** `{name}` in the path. */
export const SecretNameParams = v.strictObject({ name: SecretNameSchema })

const LIMIT_MESSAGE = `must be a whole number from 1 to ${ACCESS_LOG_MAX_LIMIT}`

/** The `limit` and `cursor` entries of an access-log page, shared by `GET /secrets/{name}/access-log` and `GET /audit`. */
export const accessLogPageEntries = {
  limit: v.optional(
    v.pipe(
      v.string(LIMIT_MESSAGE),
      v.regex(/^[0-9]{1,3}$/, LIMIT_MESSAGE),
      v.transform(Number),
      v.minValue(1, LIMIT_MESSAGE),
      v.maxValue(ACCESS_LOG_MAX_LIMIT, LIMIT_MESSAGE),
    ),
    String(ACCESS_LOG_DEFAULT_LIMIT),
  ),
  cursor: v.optional(
    v.pipe(
      v.string('must be given once'),
      v.check((c) => decodeAccessLogCursor(c) !== undefined, 'is not a cursor this server gave out (use next_cursor as is)'),
      v.transform((c) => decodeAccessLogCursor(c)!),
    ),
  ),
}

/** `?limit=&cursor=` of the access log. */
export const AccessLogQuery = v.strictObject(accessLogPageEntries)
