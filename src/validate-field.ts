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
  // An item of a list is named by its position, counted from 1 (the item itself is input).
  const index = issue.path?.[0]?.key
  const item = typeof index === 'number' && Array.isArray(input) ? ` item ${index + 1} (of ${input.length})` : ''
  throw new ValidationError(field, issue.type, `${field}${item} ${issue.message}`)
}
