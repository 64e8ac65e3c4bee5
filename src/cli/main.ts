/**
 * The `secrets` command line. Subcommands are imported on demand, so
 * `secrets render` does not pay for loading the HTTP server.
 */
import { ConfigError, MalformedPlaceholderError, MissingSecretError, SecretsError } from '../errors.ts'
import { storeFault } from '../store/driver-errors.ts'
import { type Command, UsageError } from './command.ts'
import { EXIT } from './exit-codes.ts'
import type { CliIO } from './io.ts'
import { OutputError } from './output-error.ts'

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  keygen: { summary: 'print a fresh random master key', load: async () => (await import('./commands/keygen.ts')).default },
  set: { summary: 'create or replace a secret (value from stdin)', load: async () => (await import('./commands/set.ts')).default },
  list: { summary: 'list secrets (never values)', load: async () => (await import('./commands/list.ts')).default },
  versions: { summary: 'list the versions of a secret (never values)', load: async () => (await import('./commands/versions.ts')).default },
  rollback: { summary: 'write a kept previous version of a secret as a new version', load: async () => (await import('./commands/rollback.ts')).default },
  delete: { summary: 'delete a secret and its kept versions', load: async () => (await import('./commands/delete.ts')).default },
  rotate: { summary: 're-encrypt secrets under the current master key', load: async () => (await import('./commands/rotate.ts')).default },
  render: { summary: 'replace ${SECRET:NAME} placeholders in a file or stream', load: async () => (await import('./commands/render.ts')).default },
  run: { summary: 'start a command with rendered secrets in its environment, output masked', load: async () => (await import('./commands/run.ts')).default },
  get: { summary: 'print one secret value (not to a terminal without --reveal)', load: async () => (await import('./commands/get.ts')).default },
  keys: { summary: 'show master keys, what each seals, which can be removed', load: async () => (await import('./commands/keys.ts')).default },
  audit: { summary: 'verify the tamper-evident audit chain, print its head', load: async () => (await import('./commands/audit.ts')).default },
  client: { summary: 'add clients (agents, MCP servers) and issue their tokens', load: async () => (await import('./commands/client.ts')).default },
  operator: { summary: 'add, list or remove the operators who may log in over HTTP', load: async () => (await import('./commands/operator.ts')).default },
  backup: { summary: 'write a consistent copy of the SQLite store to a new file (mode 0600)', load: async () => (await import('./commands/backup.ts')).default },
  restore: { summary: 'replace the SQLite store with a checked backup', load: async () => (await import('./commands/restore.ts')).default },
  serve: { summary: 'start the HTTP API and the UI', load: async () => (await import('./commands/serve.ts')).default },
}

function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length))
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  return [
    'Usage: secrets <command> [options]',
    '',
    'An encrypted secrets store for configuration artifacts.',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `secrets <command> --help` for a command\'s options.',
    'Environment: the master key in exactly one of CLAUDE_HOOKS_SECRET_KEY, CLAUDE_HOOKS_SECRET_KEY_FILE or the systemd',
    'credential claude-hooks-secret-key (the same for _PREVIOUS; docs/credentials.md), DATABASE_URL, HOST, PORT, SECRET_VERSIONS_KEPT;',
    'client mode (docs/clients.md): CLAUDE_HOOKS_SECRETS_URL with CLAUDE_HOOKS_SECRETS_TOKEN_FILE or _TOKEN.',
    'Exit codes: 0 ok, 1 failure, 2 usage, 3 missing or malformed placeholder, 78 configuration.',
    '',
  ].join('\n')
}

/**
 * Runs one command line; returns the exit code. Errors become one line on
 * stderr, `secrets: <message>`; messages never carry secret values.
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...args] = argv
  try {
    return await dispatch(name, args, io)
  } catch (e) {
    return reportError(e, name ?? '', io)
  }
}

async function dispatch(name: string | undefined, args: string[], io: CliIO): Promise<number> {
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ;(name === undefined ? io.stderr : io.stdout)(topHelp())
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (!entry) {
    io.stderr(`secrets: unknown command "${name}"; run \`secrets --help\` for the list\n`)
    return EXIT.usage
  }
  const command = await entry.load()
  // Past `--` the arguments are another command's (`secrets run -- grep --help`).
  const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args
  if (own.includes('--help') || own.includes('-h')) {
    io.stdout(command.help)
    return EXIT.ok
  }
  return await command.run(args, io)
}

function reportError(e: unknown, command: string, io: CliIO): number {
  // Before the database's faults: a bare ENOSPC or EPIPE of the output would read as one.
  if (e instanceof OutputError) {
    if (e.quiet) return EXIT.ok
    io.stderr(`secrets: ${e.message}\n`)
    return EXIT.failure
  }
  if (e instanceof UsageError) {
    io.stderr(`secrets ${command}: ${e.message}\nRun \`secrets ${command} --help\` for usage.\n`)
    return EXIT.usage
  }
  if (e instanceof ConfigError) {
    io.stderr(`secrets: ${e.message}\n`)
    return EXIT.config
  }
  if (e instanceof MissingSecretError || e instanceof MalformedPlaceholderError) {
    io.stderr(`secrets: ${e.message}\n`)
    return EXIT.placeholder
  }
  // Ours, unless it only wraps a database fault (an audit row that could not be written);
  // store_unavailable already names where the database is and why.
  if (e instanceof SecretsError && (e.code === 'store_unavailable' || !storeFault((e as { cause?: unknown }).cause))) {
    io.stderr(`secrets: ${e.message}\n`)
    return EXIT.failure
  }
  // An audit row that could not be written hides the database's reason in `cause`.
  const fault = storeFault(e) ?? storeFault((e as { cause?: unknown })?.cause)
  if (fault) {
    io.stderr(`secrets: ${fault.message}\n`)
    return EXIT.failure
  }
  // Not ours: a driver or I/O error. Its message names the operation, never a bound value.
  io.stderr(`secrets: ${(e as Error)?.message ?? String(e)}\n`)
  return EXIT.failure
}
