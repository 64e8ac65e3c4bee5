import { HttpError } from './http-error.ts'

// One strong entity tag as this API gives them out (`ETag: "N"`, N the version).
const VERSION_TAG = /^"([1-9][0-9]{0,9})"$/

/**
 * The version an `If-Match` header asks for (RFC 9110 section 13.1.1): the
 * number inside one strong entity tag `"N"` as this API sends in `ETag`, or
 * undefined when the header is absent or `*` (any current version: the
 * secret must exist, which the routes require anyway).
 * @throws HttpError 400 `validation_error` naming the header for anything
 *   else (weak tags, lists, other text); the header's value is never echoed.
 */
export function ifMatchVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined
  const text = header.trim()
  if (text === '*') return undefined
  const m = VERSION_TAG.exec(text)
  if (!m || Number(m[1]) > 2 ** 31 - 1) {
    throw new HttpError('validation_error', 'If-Match must be one strong entity tag "N", N the version from ETag (or *)', { field: 'If-Match' })
  }
  return Number(m[1])
}

/** The `ETag` of a secret at `version`. */
export const versionTag = (version: number): string => `"${version}"`
