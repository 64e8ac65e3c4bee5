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

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: HttpErrorCode; message: string; field?: string }
}

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

  constructor(
    status: number,
    code: HttpErrorCode,
    message: string,
    options: { field?: string | undefined; headers?: Record<string, string> } = {},
  ) {
    super(message)
    this.name = 'HttpError'
    this.status = status
    this.code = code
    this.field = options.field
    this.headers = options.headers ?? {}
  }

  /** The JSON body for this error. */
  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field === undefined ? {} : { field: this.field }) } }
  }
}

/** 401: no live session. */
export const unauthenticated = (message = 'log in first: no valid session') => new HttpError(401, 'unauthenticated', message)

/** 403: CSRF token missing or wrong, or a cross-site request. */
export const csrfFailed = (message: string) => new HttpError(403, 'csrf_failed', message)
