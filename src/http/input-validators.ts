import type { Env, MiddlewareHandler } from 'hono'
import { validator } from 'hono/validator'
import * as v from 'valibot'
import { issueToHttpError } from './validation-issue.ts'

/**
 * Validates the path parameters with a valibot schema through Hono's
 * `validator`; a failure is a 400 naming the parameter, never its value.
 */
export function validParams<S extends v.GenericSchema, E extends Env = Env, P extends string = string>(
  schema: S,
): MiddlewareHandler<E, P, { in: { param: v.InferInput<S> }; out: { param: v.InferOutput<S> } }> {
  return validator('param', (value: unknown) => {
    const result = v.safeParse(schema, value)
    if (!result.success) throw issueToHttpError(result.issues, 'path')
    return result.output as v.InferOutput<S>
  }) as MiddlewareHandler<E, P, { in: { param: v.InferInput<S> }; out: { param: v.InferOutput<S> } }>
}

/**
 * Validates the query string with a valibot schema (strict: unknown
 * parameters are refused) through Hono's `validator`. A parameter given
 * twice arrives as an array and fails the schema's string check.
 */
export function validQuery<S extends v.GenericSchema, E extends Env = Env, P extends string = string>(
  schema: S,
): MiddlewareHandler<E, P, { in: { query: v.InferInput<S> }; out: { query: v.InferOutput<S> } }> {
  return validator('query', (value: unknown) => {
    const result = v.safeParse(schema, value)
    if (!result.success) throw issueToHttpError(result.issues, 'query')
    return result.output as v.InferOutput<S>
  }) as MiddlewareHandler<E, P, { in: { query: v.InferInput<S> }; out: { query: v.InferOutput<S> } }>
}
