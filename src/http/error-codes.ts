/**
 * Every error code an HTTP answer carries (docs/http-api.md), each with the
 * one status it is sent with, and the error body. Dependency-free and types
 * only for the outside: the UI imports it as a type (web/src/api-error.ts),
 * so the two can never disagree about a code.
 */
export const HTTP_ERROR_STATUS = {
  validation_error: 400,
  invalid_json: 400,
  request_aborted: 400,
  unauthenticated: 401,
  csrf_failed: 403,
  not_granted: 403,
  not_found: 404,
  already_exists: 409,
  conflict: 409,
  row_not_audited: 409,
  version_mismatch: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  missing_secret: 422,
  malformed_placeholder: 422,
  unknown_version: 422,
  host_not_allowed: 421,
  rate_limited: 429,
  internal_error: 500,
  ui_not_built: 503,
  store_busy: 503,
  store_full: 503,
  store_readonly: 503,
  store_unavailable: 503,
} as const

/** The closed union of the codes. */
export type HttpErrorCode = keyof typeof HTTP_ERROR_STATUS

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: {
    code: HttpErrorCode
    message: string
    field?: string
    /** Secret names the error is about (`not_granted`, `missing_secret`): names only, never values. */
    names?: string[]
    /** Where a malformed placeholder is (`malformed_placeholder`), 1-based. */
    line?: number
    column?: number
    /** The secret's current version (`version_mismatch`). */
    current_version?: number
  }
}
