import type * as v from 'valibot'
import { HttpError } from '../http-error.ts'

// An unknown key is named only when it looks like a field name: a client
// that put a value where a key goes must not see it echoed back.
const NAMEABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/

function pathOf(issue: v.BaseIssue<unknown>): string | undefined {
  const keys = issue.path?.map((item) => item.key)
  if (!keys || keys.length === 0) return undefined
  // List positions are named too (`grants.0`): an index is never input.
  const nameable = (k: unknown) => (typeof k === 'string' && NAMEABLE_KEY.test(k)) || (typeof k === 'number' && Number.isSafeInteger(k))
  return keys.every(nameable) ? keys.join('.') : undefined
}

/**
 * Turns the first valibot issue into a 400 naming the field and the rule,
 * never the input: messages are the schema's own hand-written ones, or built
 * here for the issues valibot words itself (a missing or unknown key), whose
 * default text quotes the input.
 *
 * @param where what is being validated (`body`, `query`, `path`), for the
 *   messages about the whole object.
 */
export function issueToHttpError(issues: readonly v.BaseIssue<unknown>[], where: string): HttpError {
  const issue = issues[0]!
  const field = pathOf(issue)
  const strictObject = issue.type === 'strict_object' || issue.type === 'object'
  if (strictObject && issue.path && issue.path.length > 0) {
    if (issue.expected === 'never') {
      return field === undefined
        ? new HttpError('validation_error', `${where} has a field that is not allowed`)
        : new HttpError('validation_error', `${field} is not an allowed field`, { field })
    }
    if (issue.input === undefined) return new HttpError('validation_error', `${field} is required`, { field })
  }
  if (field === undefined) return new HttpError('validation_error', `${where} ${issue.message}`)
  return new HttpError('validation_error', `${field} ${issue.message}`, { field })
}
