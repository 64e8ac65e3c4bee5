import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { SecretsContext } from '../context.ts'
import type { Actor } from '../secrets/types.ts'
import type { CliIO } from './io.ts'
import { processUser } from './os-user.ts'
import { type OptionSpec, parseStrictArgs } from './parse-args.ts'

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
 * Strict parsing with node:util parseArgs' results and messages
 * (parse-args.ts), with parse failures turned into UsageErrors.
 */
export function parseCommandArgs<T extends Record<string, OptionSpec>>(
  args: string[],
  options: T,
  positionals: { min: number; max: number; names: string | readonly string[] },
) {
  let parsed
  try {
    parsed = parseStrictArgs(args, options, positionals.max > 0)
  } catch (e) {
    const message = (e as Error).message
    if (message.startsWith('Unexpected argument ')) throw new UsageError(`this command takes no arguments (the one given is ${NOT_REPEATED})`)
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''))
  }
  const count = parsed.positionals.length
  if (count < positionals.min) throw new UsageError(`missing ${missingNames(positionals.names, count, positionals.min)}`)
  if (count > positionals.max) throw unexpectedArgument(positionals.max + 1)
  return parsed
}

const NOT_REPEATED = 'not repeated here, in case it is a secret'

/** The positionals not given, from a list (`NAME and VERSION` when none was, `VERSION` after a NAME), or a phrase as it is. */
function missingNames(names: string | readonly string[], given: number, min: number): string {
  if (typeof names === 'string') return names
  const left = names.slice(given, min)
  return left.length === 1 ? left[0]! : `${left.slice(0, -1).join(', ')} and ${left[left.length - 1]}`
}

/**
 * A positional argument too many, named by its position (1-based, among the
 * positionals) and never by its text: `secrets set NAME VALUE` and
 * `operator add NAME PASSWORD` are the likely mistakes, and stderr goes to
 * logs.
 */
export function unexpectedArgument(position: number): UsageError {
  return new UsageError(`unexpected argument in position ${position} (${NOT_REPEATED})`)
}

/**
 * The accessor of every audit row the CLI writes: `cli:<login name of the
 * real uid>` (`cli:uid:N` without a passwd entry). What a user declares
 * (`render --accessor`) is a label beside it, never this.
 */
export function cliAccessor(): string {
  return `cli:${processUser()}`
}

/**
 * Client mode (docs/clients.md) for a command that reads secrets: the
 * server's settings when CLAUDE_HOOKS_SECRETS_URL is set, after refusing
 * what has no meaning there (`--accessor`: the token is the identity) and
 * a reason that cannot travel in an HTTP header. Undefined otherwise.
 * @throws ConfigError (client-mode.ts); UsageError.
 */
export async function clientModeFor(
  io: CliIO,
  values: { accessor?: string | undefined; reason?: string | undefined },
): Promise<import('./client-mode.ts').ClientModeSettings | undefined> {
  const { clientModeSettings } = await import('./client-mode.ts')
  const remote = clientModeSettings(io.env)
  if (!remote) return undefined
  if (values.accessor !== undefined) throw new UsageError('--accessor is refused in client mode: the token is the identity')
  if (values.reason !== undefined && !/^[\x20-\x7e]+$/.test(values.reason)) {
    throw new UsageError('--reason must be printable ASCII in client mode (it travels in an HTTP header)')
  }
  return remote
}

/**
 * Says so on stderr when this open is about to create a new SQLite database
 * at the default path because DATABASE_URL is unset: run from the install
 * directory of a deployed service, a command would otherwise create a
 * second, empty database there without a word (docs/deploy.md). Call it
 * before opening; it returns the function to call once the open succeeded.
 */
export function noteDefaultDatabase(io: CliIO): () => void {
  if (io.env.DATABASE_URL) return () => {}
  const path = resolve('data', 'secrets.db')
  if (existsSync(path)) return () => {}
  return () =>
    io.stderr(
      `secrets: DATABASE_URL is not set: created a new database at ${path}; ` +
        'a deployed service\'s database is elsewhere (docs/deploy.md, "Commands against the deployed database")\n',
    )
}

/**
 * Runs `use` with a resolver of the local store for `actor`: a ready SQLite
 * store through the reader that needs no Kysely (secrets/sqlite-reader.ts,
 * about 20 ms less start-up), any other through the usual open
 * ({@link withSecrets}). Either way every name must exist, and each value
 * read leaves its audit row before it is returned (reads.ts).
 */
export async function withLocalResolve<T>(io: CliIO, actor: Actor, use: (resolveAll: (names: string[]) => Promise<Map<string, Uint8Array>>) => Promise<T>): Promise<T> {
  const { openSqliteReader } = await import('../secrets/sqlite-reader.ts')
  const reader = await openSqliteReader(io.env)
  if (reader) {
    try {
      return await use((names) => reader.resolveAll(names, actor))
    } finally {
      await reader.close()
    }
  }
  return withSecrets(io, ({ service }) => use((names) => service.resolveAll(names, actor)))
}

/** Opens the store the environment describes, runs `fn`, and closes it whatever happens. */
export async function withSecrets<T>(io: CliIO, fn: (ctx: SecretsContext) => Promise<T>): Promise<T> {
  // Imported here, not at the top: Kysely alone costs about 20 ms to load, which
  // `keygen`, `--help` and usage errors need not pay.
  const { openSecrets } = await import('../context.ts')
  const created = noteDefaultDatabase(io)
  const ctx = await openSecrets(io.env)
  created()
  try {
    return await fn(ctx)
  } finally {
    await ctx.close()
  }
}
