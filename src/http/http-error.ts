/** Every error code an HTTP answer carries (docs/http-api.md), in one closed union. */
export type HttpErrorCode =
  | 'validation_error'
  | 'invalid_json'
  | 'unauthenticated'
  | 'csrf_failed'
  | 'host_not_allowed'
  | 'not_found'
  | 'already_exists'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal_error'
  | 'ui_not_built'
  | 'store_busy'
  | 'store_full'
  | 'store_readonly'
  | 'not_granted'
  | 'missing_secret'
  | 'malformed_placeholder'

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
  }
}

/** The extra members an error body may carry. */
export type ErrorDetails = Pick<ErrorBody['error'], 'names' | 'line' | 'column'>

/**
 * A failed request, thrown by middleware and handlers and turned into a
 * response by the one error handler (error-handler.ts). The message is sent
 * to the client as is: build it from field names and rules, never from input.
 */
export class HttpError extends Error {
  readonly status: number
  readonly code: HttpErrorCode
  readonly field: string | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly details: ErrorDetails

  constructor(
    status: number,
    code: HttpErrorCode,
    message: string,
    options: { field?: string | undefined; headers?: Record<string, string>; details?: ErrorDetails } = {},
  ) {
    super(message)
    this.name = 'HttpError'
    this.status = status
    this.code = code
    this.field = options.field
    this.headers = options.headers ?? {}
    this.details = options.details ?? {}
  }

  /** The JSON body for this error. */
  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field === undefined ? {} : { field: this.field }), ...this.details } }
  }
}

/** 401: no live session. */
export const unauthenticated = (message = 'log in first: no valid session') => new HttpError(401, 'unauthenticated', message)

/** 403: CSRF token missing or wrong, or a cross-site request. */
export const csrfFailed = (message: string) => new HttpError(403, 'csrf_failed', message)
