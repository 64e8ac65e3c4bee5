import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { SecretsContext } from '../context.ts'
import type { CliIO } from './io.ts'
import { processUser } from './os-user.ts'

/** One `secrets` subcommand. */
export interface Command {
  /** The full `--help` text. */
  readonly help: string
  /** Runs the command; returns the exit code. Throws for the errors `main` maps to exit codes. */
  run(args: string[], io: CliIO): Promise<number>
}

/** Wrong arguments: exit code 2, with a pointer to `--help`. */
export class UsageError extends Error {}

/**
 * node:util parseArgs, strict, with parse failures turned into UsageErrors.
 */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  positionals: { min: number; max: number; names: string },
) {
  let parsed
  try {
    parsed = parseArgs({ args, options, allowPositionals: positionals.max > 0, strict: true })
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''))
  }
  const count = parsed.positionals.length
  if (count < positionals.min) throw new UsageError(`missing ${positionals.names}`)
  if (count > positionals.max) throw new UsageError(`unexpected argument: ${parsed.positionals[positionals.max]}`)
  return parsed
}

/**
 * The accessor of every audit row the CLI writes: `cli:<login name of the
 * real uid>` (`cli:uid:N` without a passwd entry). What a user declares
 * (`render --accessor`) is a label beside it, never this.
 */
export function cliAccessor(): string {
  return `cli:${processUser()}`
}

/** Opens the store the environment describes, runs `fn`, and closes it whatever happens. */
export async function withSecrets<T>(io: CliIO, fn: (ctx: SecretsContext) => Promise<T>): Promise<T> {
  // Imported here, not at the top: Kysely alone costs about 20 ms to load, which
  // `keygen`, `--help` and usage errors need not pay.
  const { openSecrets } = await import('../context.ts')
  const ctx = await openSecrets(io.env)
  try {
    return await fn(ctx)
  } finally {
    await ctx.close()
  }
}
