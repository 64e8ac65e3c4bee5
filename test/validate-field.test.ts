import { expect, test } from 'bun:test'
import * as v from 'valibot'
import { ValidationError } from '../src/errors.ts'
import { GrantListSchema } from '../src/clients/client-validation.ts'
import { SecretNameSchema } from '../src/secrets/validation.ts'
import { validateField } from '../src/validate-field.ts'

function failure(run: () => unknown): ValidationError {
  try {
    run()
  } catch (e) {
    if (e instanceof ValidationError) return e
    throw e
  }
  throw new Error('expected a ValidationError')
}

test('a valid input is returned as it is', () => {
  expect(validateField('name', SecretNameSchema, 'GITHUB_TOKEN')).toBe('GITHUB_TOKEN')
  expect(validateField('grants', GrantListSchema, ['A', 'B_*'])).toEqual(['A', 'B_*'])
})

test('names the field and the rule, never the input', () => {
  const e = failure(() => validateField('name', SecretNameSchema, 'lower-s3cret'))
  expect(e.field).toBe('name')
  expect(e.rule).toBe('regex')
  expect(e.message).toStartWith('name must match')
  expect(e.message).not.toContain('lower-s3cret')
})

test('an item of a list is named by its position, counted from 1, not by its text', () => {
  const e = failure(() => validateField('grants', GrantListSchema, ['GOOD', 'ghp_pasted', 'ALSO_GOOD']))
  expect(e.field).toBe('grants')
  expect(e.message).toBe('grants item 2 (of 3) must be a secret name (GITHUB_TOKEN), a prefix of one ending in * (GITHUB_*), or * alone for every secret')
  expect(e.message).not.toContain('ghp_pasted')
  // A rule of the whole list names no item.
  expect(failure(() => validateField('grants', GrantListSchema, Array(101).fill('A'))).message).toBe('grants must hold at most 100 patterns')
  expect(failure(() => validateField('grants', v.array(v.string('must be a string')), 'x')).message).not.toContain('item')
})
