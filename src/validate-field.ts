/**
 * Checks one input field against a valibot schema, for every layer that
 * takes input (secrets, operators, clients): the rules themselves live in
 * src/rules.ts and the layers' own schemas.
 */
import * as v from 'valibot'
import { ValidationError } from './errors.ts'

/**
 * Validates one field.
 * @returns the input, typed.
 * @throws ValidationError naming `field` and the broken rule; the message
 *   never contains the input.
 */
export function validateField<S extends v.GenericSchema>(field: string, schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input)
  if (result.success) return result.output
  const issue = result.issues[0]
  throw new ValidationError(field, issue.type, `${field} ${issue.message}`)
}
