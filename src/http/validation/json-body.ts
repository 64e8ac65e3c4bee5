import type { Env, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { validator } from 'hono/validator'
import * as v from 'valibot'
import { HttpError } from '../http-error.ts'
import { issueToHttpError } from './issue-to-http-error.ts'

const JSON_MEDIA_TYPE = 'application/json'

function mediaType(c: { req: { header(name: string): string | undefined } }): string | undefined {
  const header = c.req.header('Content-Type')
  return header === undefined ? undefined : header.split(';')[0]!.trim().toLowerCase()
}

const unsupported = () =>
  new HttpError('unsupported_media_type', 'send the body as application/json (Content-Type: application/json)')

const notAnObject = () => new HttpError('invalid_json', 'the request body must be a JSON object')

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true })

/**
 * JSON is UTF-8 (RFC 8259). A lenient decode turns every invalid byte into
 * U+FFFD, so a value sent in Latin-1 would be stored as a different value
 * without a word: refuse it instead (test/hardening/adversarial.test.ts).
 */
function isUtf8(bytes: ArrayBuffer): boolean {
  try {
    STRICT_UTF8.decode(bytes)
    return true
  } catch {
    // Not UTF-8: the one failure decode() has in fatal mode.
    return false
  }
}

/**
 * Validates a JSON body with a valibot schema (a strict object: unknown
 * fields are refused) through Hono's `validator`, with this app's errors:
 *
 * - a Content-Type other than `application/json` (form posts, `text/plain`):
 *   415, before anything is read; so is a missing one when a body is needed;
 * - a body that is not UTF-8, malformed JSON, or JSON that is not an
 *   object: 400 `invalid_json`;
 * - a schema failure: 400 `validation_error` naming the field (issue-to-http-error.ts).
 *
 * With `optional`, a request without a body (nothing sent, whatever the
 * Content-Type says) passes as `{}`: the UI's rotate and delete calls send
 * none, and some clients label an empty body as JSON.
 */
export function jsonBody<S extends v.GenericSchema, E extends Env = Env, P extends string = string>(
  schema: S,
  options: { optional?: boolean } = {},
): MiddlewareHandler<E, P, { in: { json: v.InferInput<S> }; out: { json: v.InferOutput<S> } }> {
  // Typed loosely here: the signature above states what handlers see.
  const validate = validator('json', (value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw notAnObject()
    const result = v.safeParse(schema, value)
    if (!result.success) throw issueToHttpError(result.issues, 'body')
    return result.output as object
  }) as unknown as MiddlewareHandler
  return async function jsonBody(c, next) {
    const type = mediaType(c)
    if (type !== undefined && type !== JSON_MEDIA_TYPE) throw unsupported()
    if (options.optional && (await c.req.arrayBuffer()).byteLength === 0) {
      // No body at all (with or without a JSON Content-Type): the same as `{}`.
      const empty = v.safeParse(schema, {})
      if (!empty.success) throw unsupported()
      c.req.addValidatedData('json', empty.output as object)
      return next()
    }
    if (type === undefined) throw unsupported()
    // Hono caches the bytes: the validator's json() below parses the same ones.
    if (!isUtf8(await c.req.arrayBuffer())) throw new HttpError('invalid_json', 'the request body is not valid UTF-8')
    let reachedHandler = false
    try {
      return await validate(c, () => {
        reachedHandler = true
        return next()
      })
    } catch (e) {
      // Hono's validator throws a bare 400 for unparseable JSON; only that one is ours to rename.
      if (!reachedHandler && e instanceof HTTPException && e.status === 400) {
        throw new HttpError('invalid_json', 'the request body is not valid JSON')
      }
      throw e
    }
  }
}
