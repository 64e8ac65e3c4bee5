import * as v from 'valibot'
import { DescriptionSchema } from '../secrets/validation.ts'
import { GRANT_PATTERN } from './grant.ts'

/** Client name rule (DESIGN.md): a lowercase letter, then up to 63 lowercase letters, digits or `-`. */
export const CLIENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,63}$/

/** Most grant patterns one client may hold. */
export const MAX_GRANTS = 100

// Every message is written here: valibot's defaults quote the received input.
export const ClientNameSchema = v.pipe(
  v.string('must be a string'),
  v.regex(CLIENT_NAME_PATTERN, 'must be 1 to 64 characters: a lowercase letter, then lowercase letters, digits or "-"'),
)

export const GrantPatternSchema = v.pipe(
  v.string('must be a string'),
  v.regex(
    GRANT_PATTERN,
    'must be a secret name (GITHUB_TOKEN), a prefix of one ending in * (GITHUB_*), or * alone for every secret',
  ),
)

export const GrantListSchema = v.pipe(
  v.array(GrantPatternSchema, 'must be a list of patterns'),
  v.maxLength(MAX_GRANTS, `must hold at most ${MAX_GRANTS} patterns`),
)

export const ClientDescriptionSchema = DescriptionSchema
