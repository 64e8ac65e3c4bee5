/**
 * The CLI's argument parser (src/cli/parse-args.ts) against node:util
 * parseArgs (strict), which it replaces: on the same command lines, the same
 * values and positionals, or a refusal with the same message.
 */
import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { parseArgs } from 'node:util'
import { ArgsError, parseStrictArgs } from '../../src/cli/parse-args.ts'

const OPTIONS = {
  reason: { type: 'string' },
  accessor: { type: 'string' },
  check: { type: 'boolean' },
  env: { type: 'string', multiple: true },
  'no-mask': { type: 'boolean' },
} as const

type Outcome = { values: Record<string, unknown>; positionals: string[] } | { error: string }

function ours(args: string[], allowPositionals: boolean): Outcome {
  try {
    const { values, positionals } = parseStrictArgs(args, OPTIONS, allowPositionals)
    return { values: { ...values }, positionals }
  } catch (e) {
    expect(e).toBeInstanceOf(ArgsError)
    return { error: (e as Error).message }
  }
}

function nodes(args: string[], allowPositionals: boolean): Outcome {
  try {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals, strict: true })
    return { values: { ...values }, positionals }
  } catch (e) {
    return { error: (e as Error).message }
  }
}

const CASES: string[][] = [
  [],
  ['IN', 'OUT'],
  ['--reason', 'why', '--accessor=me', 'IN'],
  ['--reason=', 'IN'],
  ['--reason', ''],
  ['--reason', '-'],
  ['--reason=-x'],
  ['--reason', '-x'],
  ['--reason', '--check'],
  ['--reason', '--'],
  ['--reason', '-1'],
  ['--reason'],
  ['--env'],
  ['--env', 'A=1', '--env=B=2', '--env', 'A=3'],
  ['--reason', 'a', '--reason', 'b'],
  ['--check', 'IN', '--check'],
  ['--check=1'],
  ['--check='],
  ['--no-mask', '--', '--check', '-x'],
  ['--', 'a', 'b'],
  ['-'],
  ['--foo'],
  ['--foo=bar'],
  ['--foo', 'bar'],
  ['--Check'],
  ['--constructor'],
  ['--__proto__'],
  ['--toString'],
  ['--=x'],
  ['---x'],
  ['-x'],
  ['-h'],
  ['-1'],
  ['-='],
  ['-xy'],
  ['-x=1'],
  ['IN', '--foo'],
  ['--foo', 'IN'],
]

describe('parseStrictArgs', () => {
  for (const allowPositionals of [true, false]) {
    test(`gives parseArgs' values, positionals and refusals (positionals ${allowPositionals ? 'allowed' : 'refused'})`, () => {
      for (const args of CASES) expect({ args, ...ours(args, allowPositionals) }).toEqual({ args, ...nodes(args, allowPositionals) })
    })
  }

  test('agrees with parseArgs on random command lines', () => {
    const word = fc.constantFrom('--reason', '--accessor', '--check', '--env', '--no-mask', '--', '-', '-x', '--x', 'IN', '', '=', '-1', '--check=', '--reason=', '--env=A=1', '--reason=-v', 'a b')
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), fc.boolean(), (args, allowPositionals) => {
        expect(ours(args, allowPositionals)).toEqual(nodes(args, allowPositionals))
      }),
      { numRuns: 2000 },
    )
  })

  test('values have no prototype, so no option name reaches Object.prototype', () => {
    const { values } = parseStrictArgs(['--reason', 'r'], OPTIONS, false)
    expect(Object.getPrototypeOf(values)).toBeNull()
    expect(() => parseStrictArgs(['--hasOwnProperty'], OPTIONS, false)).toThrow("Unknown option '--hasOwnProperty'")
  })
})
