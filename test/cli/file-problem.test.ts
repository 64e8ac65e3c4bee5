import { expect, test } from 'bun:test'
import { fileProblem } from '../../src/cli/file-problem.ts'

test('system codes in words; an unknown code as it is; none as "error"', () => {
  expect(fileProblem('ENOENT')).toBe('it does not exist')
  expect(fileProblem('EACCES')).toBe('permission denied')
  expect(fileProblem('EISDIR')).toBe('it is a directory')
  expect(fileProblem('EIO')).toBe('EIO')
  expect(fileProblem(undefined)).toBe('error')
  // Not an own key of the table: no prototype property is taken for words.
  expect(fileProblem('constructor')).toBe('constructor')
})
