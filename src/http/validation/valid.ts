import type { Env, MiddlewareHandler } from 'hono'
import { validator } from 'hono/validator'
import * as v from 'valibot'
import { issueToHttpError } from './issue-to-http-error.ts'

/** What {@link valid} validates, and the word its error messages use for it. */
const WHERE = { param: 'path', query: 'query' } as const

/**
 * Validates the path parameters (`param`) or the query string (`query`)
 * with a valibot schema through Hono's `validator`; a failure is a 400
 * naming the parameter, never its value. With a strict schema unknown
 * parameters are refused, and a query parameter given twice arrives as an
 * array and fails the schema's string check. (JSON bodies: json-body.ts.)
 */
export function valid<T extends keyof typeof WHERE, S extends v.GenericSchema, E extends Env = Env, P extends string = string>(
  target: T,
  schema: S,
): MiddlewareHandler<E, P, { in: { [K in T]: v.InferInput<S> }; out: { [K in T]: v.InferOutput<S> } }> {
  return validator(target, (value: unknown) => {
    const result = v.safeParse(schema, value)
    if (!result.success) throw issueToHttpError(result.issues, WHERE[target])
    return result.output as v.InferOutput<S>
  }) as unknown as MiddlewareHandler<E, P, { in: { [K in T]: v.InferInput<S> }; out: { [K in T]: v.InferOutput<S> } }>
}
