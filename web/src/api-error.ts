/**
 * The one error type the API client throws. Components never look at raw
 * responses: they branch on `code` and show `message` at `field` or in a banner.
 */

import type { HttpErrorCode } from '../../src/http/error-codes.ts'

/**
 * The codes the server sends (its own type, imported as a type only) plus
 * two the client adds for failures that never produced a JSON error body.
 */
export type ApiErrorCode =
  | HttpErrorCode
  /** fetch itself failed: server down, network gone, request aborted */
  | 'network_error'
  /** the server answered with something that is not the documented JSON */
  | 'bad_response'

/** A failed API call: HTTP status (0 when no answer), stable code, human message. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  /** HTTP status, or 0 when the request never got an answer */
  readonly status: number
  readonly code: ApiErrorCode | (string & {})
  /** the input field at fault, when the server names one (validation errors) */
  readonly field: string | undefined
  /** seconds to wait before trying again, from the `Retry-After` header (429) */
  readonly retryAfter: number | undefined
  /** the secret's version now, from a `version_mismatch` body's `current_version` */
  readonly currentVersion: number | undefined

  constructor(init: {
    status: number
    code: ApiErrorCode | (string & {})
    message: string
    field?: string | undefined
    retryAfter?: number | undefined
    currentVersion?: number | undefined
  }) {
    super(init.message)
    this.status = init.status
    this.code = init.code
    this.field = init.field
    this.retryAfter = init.retryAfter
    this.currentVersion = init.currentVersion
  }
}

/** The code of a write refused by `If-Match` (412): typed by the server's list, so a rename there fails the UI's build. */
export const VERSION_MISMATCH = 'version_mismatch' satisfies HttpErrorCode

/** Whether `e` is a write refused because someone else changed the secret since it was read (412 `version_mismatch`). */
export function isVersionMismatch(e: unknown): e is ApiError {
  return e instanceof ApiError && e.code === VERSION_MISMATCH
}

/**
 * Reads `Retry-After` as whole seconds (at least 1). The header may carry
 * delta-seconds or an HTTP date; both are accepted so a proxy rewriting it does
 * not break the countdown. Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Math.max(1, Number(trimmed))
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(1, Math.ceil((date - now) / 1000))
}
