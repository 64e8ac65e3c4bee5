import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HttpError } from '../http-error.ts'

/**
 * Largest request body: 128 KiB. A secret value is at most 64 KiB of UTF-8,
 * which fits with room for JSON escaping of ordinary text.
 */
export const MAX_BODY_BYTES = 128 * 1024

/**
 * Hono's body-limit (it trusts Content-Length and counts chunked bodies as
 * they stream), answering 413 `payload_too_large` in the app's JSON shape.
 */
export function limitBody(maxBytes: number = MAX_BODY_BYTES): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HttpError('payload_too_large', `the request body is larger than ${maxBytes} bytes`)
    },
  })
}
