import { ValidationError } from '../../errors.ts'
import { MAX_PASSWORD_CHARS, UsernameSchema } from '../../operators/operator-validation.ts'
import { OperatorNotFoundError } from '../../operators/operator-errors.ts'
import { OperatorService } from '../../operators/operator.service.ts'
import { validateField } from '../../secrets/validation.ts'
import { openStore } from '../../store/database.ts'
import { type ChangeActor, SecurityAudit } from '../../audit/security-audit.ts'
import { cliAccessor, type Command, noteDefaultDatabase, parseCommandArgs, unexpectedArgument, UsageError, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { type CliIO, InputTooLargeError } from '../io.ts'
import { formatTable } from '../table.ts'

const decoder = new TextDecoder('utf-8', { fatal: true })
// Four UTF-8 bytes per character at most, plus a trailing CRLF that is dropped.
const MAX_PASSWORD_BYTES = MAX_PASSWORD_CHARS * 4 + 2

/**
 * The password: typed twice with echo off on a terminal, else read from
 * standard input with one trailing newline dropped (`echo pw | …` adds one).
 */
async function readPassword(io: CliIO, username: string): Promise<string> {
  if (io.stdinIsTTY && io.readHidden) {
    const first = (await io.readHidden(`Password for ${username} (input hidden): `)) ?? ''
    const second = (await io.readHidden('Repeat the password: ')) ?? ''
    if (first !== second) throw new ValidationError('password', 'confirm', 'the two passwords differ; nothing was changed')
    return first
  }
  let bytes: Uint8Array
  try {
    bytes = await io.readStdin(MAX_PASSWORD_BYTES)
  } catch (e) {
    if (e instanceof InputTooLargeError) {
      throw new ValidationError('password', 'max_length', `password must be at most ${MAX_PASSWORD_CHARS} characters`)
    }
    throw e
  }
  try {
    return decoder.decode(bytes).replace(/\r?\n$/, '')
  } catch {
    throw new ValidationError('password', 'utf8', 'password must be valid UTF-8')
  } finally {
    bytes.fill(0)
  }
}

/** Opens the store (DATABASE_URL) without the master key, to read: the list holds no secret. */
async function withOperators<T>(io: CliIO, fn: (operators: OperatorService) => Promise<T>): Promise<T> {
  const created = noteDefaultDatabase(io)
  const store = await openStore(io.env.DATABASE_URL || undefined)
  created()
  try {
    return await fn(new OperatorService({ db: store.db }))
  } finally {
    await store.close()
  }
}

/**
 * Opens the store with the master key, to change: every change leaves an
 * audit row (operator_add, operator_passwd, operator_remove), and the audit
 * chain's key is sealed under the master key. Without a key: exit 78, nothing changed.
 */
async function withAuditedOperators<T>(io: CliIO, fn: (operators: OperatorService, by: ChangeActor) => Promise<T>): Promise<T> {
  return withSecrets(io, ({ store, service }) =>
    fn(new OperatorService({ db: store.db, audit: new SecurityAudit({ db: store.db, log: service.auditLog }) }), { accessor: cliAccessor() }),
  )
}

const operator: Command = {
  help: `Usage: secrets operator add NAME
       secrets operator list [--json]
       secrets operator remove NAME
       secrets operator passwd NAME

Manages the operators who may log in to the HTTP API and the UI at
/settings/secrets.

  add NAME     adds an operator; the password is read from standard input
               (one trailing newline dropped), or asked for twice with echo
               off on a terminal. At least 12 characters. It is stored only
               as an scrypt hash (docs/operators.md).
  list         usernames, when they were added and last logged in
  remove NAME  removes an operator and ends all their sessions
  passwd NAME  sets a new password (read like add's) and ends all their
               sessions

  printf %s "$PASSWORD" | npx secrets operator add alice

Options:
  --json  (list) one JSON document: {"operators": [...]}

NAME: a lowercase letter, then up to 63 lowercase letters, digits, ".", "_"
or "-". Needs DATABASE_URL (default file:./data/secrets.db). add, remove and
passwd also need the master key (CLAUDE_HOOKS_SECRET_KEY): each leaves a row in
the audit chain (docs/audit.md); list does not.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { json: { type: 'boolean' } },
      { min: 1, max: 2, names: 'a subcommand (add, list, remove or passwd)' },
    )
    const [action, name] = positionals
    if (action === 'list') {
      if (name !== undefined) throw unexpectedArgument(2)
      return withOperators(io, async (operators) => {
        const list = await operators.list()
        if (values.json) {
          io.stdout(`${JSON.stringify({ operators: list }, null, 2)}\n`)
        } else if (list.length === 0) {
          io.stdout('No operators yet. Add one with:\n  printf %s "$PASSWORD" | npx secrets operator add NAME\n')
        } else {
          const when = (t: string | null) => (t === null ? 'never' : t.replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, 'Z'))
          io.stdout(formatTable(['USERNAME', 'ADDED', 'LAST LOGIN'], list.map((o) => [o.username, when(o.created_at), when(o.last_login_at)])))
        }
        return EXIT.ok
      })
    }
    if (action !== 'add' && action !== 'remove' && action !== 'passwd') {
      throw new UsageError(`unknown subcommand "${action}" (add, list, remove or passwd)`)
    }
    if (values.json) throw new UsageError('--json goes with list only')
    if (name === undefined) throw new UsageError('missing NAME')
    // Checked before a password is asked for: nobody types a password twice for nothing.
    const username = validateField('username', UsernameSchema, name)
    return withAuditedOperators(io, async (operators, by) => {
      if (action === 'remove') {
        await operators.remove(username, by)
        io.stdout(`removed operator ${username}; their sessions are ended\n`)
        return EXIT.ok
      }
      if (action === 'passwd') {
        // Known to exist before a password is asked for; setPassword checks again, atomically.
        if (!(await operators.list()).some((o) => o.username === username)) throw new OperatorNotFoundError(username)
        await operators.setPassword(username, await readPassword(io, username), by)
        io.stdout(`changed the password of ${username}; their sessions are ended\n`)
        return EXIT.ok
      }
      const added = await operators.add(username, await readPassword(io, username), by)
      io.stdout(`added operator ${added.username}\n`)
      return EXIT.ok
    })
  },
}
export default operator
