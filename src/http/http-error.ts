import { HTTP_ERROR_STATUS, type ErrorBody, type HttpErrorCode } from './error-codes.ts'

export type { ErrorBody, HttpErrorCode } from './error-codes.ts'

/** The extra members an error body may carry. */
export type ErrorDetails = Pick<ErrorBody['error'], 'names' | 'line' | 'column' | 'current_version'>

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

  /** The status is the code's own (HTTP_ERROR_STATUS). */
  constructor(
    code: HttpErrorCode,
    message: string,
    options: { field?: string | undefined; headers?: Record<string, string>; details?: ErrorDetails } = {},
  ) {
    super(message)
    this.name = 'HttpError'
    this.status = HTTP_ERROR_STATUS[code]
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
export const unauthenticated = (message = 'log in first: no valid session') => new HttpError('unauthenticated', message)

/** 403: CSRF token missing or wrong, or a cross-site request. */
export const csrfFailed = (message: string) => new HttpError('csrf_failed', message)
