import { SecretNameSchema, validateField } from '../secrets/validation.ts'
import { checkActorFlags } from './actor-flags.ts'
import { cliAccessor, parseCommandArgs, UsageError } from './command.ts'

/** `--if-version N`: a whole number from 0 (must not exist yet) up, or undefined when not given. */
export function parseIfVersion(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) > 2 ** 31 - 1) {
    throw new UsageError('--if-version must be a whole number: the version you read (`secrets versions NAME`), or 0 for "must not exist yet"')
  }
  return Number(text)
}

/**
 * The arguments of a check-and-set write to one existing secret (`delete`, `rollback`):
 * `NAME` then exactly `positionals.count - 1` more, `--if-version N` and `--reason TEXT`
 * (default `secrets COMMAND`). `parseRest` reads the positionals after NAME; it runs after NAME's
 * check and before `--if-version`'s, so the first bad argument is the one reported.
 * @throws UsageError for unknown options, a wrong number of positionals, a bad `--if-version`
 * @throws the field error of `validateField` for a bad NAME, and whatever `parseRest` throws
 */
export function parseGuardedWriteArgs<R = undefined>(
  args: string[],
  command: string,
  positionals: { count: number; names: string | readonly string[] },
  parseRest: (rest: string[]) => R = () => undefined as R,
) {
  const parsed = parseCommandArgs(
    args,
    { reason: { type: 'string' }, 'if-version': { type: 'string' } },
    { min: positionals.count, max: positionals.count, names: positionals.names },
  )
  checkActorFlags(parsed.values)
  return {
    name: validateField('name', SecretNameSchema, parsed.positionals[0]),
    rest: parseRest(parsed.positionals.slice(1)),
    ifVersion: parseIfVersion(parsed.values['if-version']),
    actor: { accessor: cliAccessor(), reason: parsed.values.reason ?? `secrets ${command}` },
  }
}
