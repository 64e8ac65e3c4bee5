import { expect, test } from 'bun:test'
import { parseCommandArgs, UsageError } from '../../src/cli/command.ts'

test('missing positionals: a list of names says only the ones not given; a phrase is said whole', () => {
  const names = ['IN', 'OUT', 'MODE']
  const missing = (args: string[]) => {
    try {
      parseCommandArgs(args, {}, { min: 3, max: 3, names })
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError)
      return (e as Error).message
    }
    return 'no error'
  }
  expect(missing([])).toBe('missing IN, OUT and MODE')
  expect(missing(['a'])).toBe('missing OUT and MODE')
  expect(missing(['a', 'b'])).toBe('missing MODE')
  expect(missing(['a', 'b', 'c'])).toBe('no error')
  expect(() => parseCommandArgs(['x'], {}, { min: 2, max: 2, names: 'a subcommand and a NAME' })).toThrow(new UsageError('missing a subcommand and a NAME'))
})
