import { HTTP_ERROR_STATUS, type ErrorBody, type HttpErrorCode } from './error-codes.ts'

export type { ErrorBody, HttpErrorCode } from './error-codes.ts'

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

  /** The status is the code's own (HTTP_ERROR_STATUS). */
  constructor(code: HttpErrorCode, message: string, options: { field?: string | undefined; headers?: Record<string, string> } = {}) {
    super(message)
    this.name = 'HttpError'
    this.status = HTTP_ERROR_STATUS[code]
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
export const unauthenticated = (message = 'log in first: no valid session') => new HttpError('unauthenticated', message)

/** 403: CSRF token missing or wrong, or a cross-site request. */
export const csrfFailed = (message: string) => new HttpError('csrf_failed', message)
