import { ClientService } from '../../clients/client.service.ts'
import { ClientNameSchema } from '../../clients/client-validation.ts'
import { parseTtl, TTL_RULE } from '../../clients/ttl.ts'
import { validateField } from '../../secrets/validation.ts'
import { openStore } from '../../store/database.ts'
import { type ChangeActor, SecurityAudit } from '../../audit/security-audit.ts'
import { cliAccessor, type Command, noteDefaultDatabase, parseCommandArgs, unexpectedArgument, UsageError, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import type { CliIO } from '../io.ts'
import { formatTable, truncate } from '../table.ts'

/** Opens the store (DATABASE_URL) without the master key, to read: clients hold no secrets. */
async function withClients<T>(io: CliIO, fn: (clients: ClientService) => Promise<T>): Promise<T> {
  const created = noteDefaultDatabase(io)
  const store = await openStore(io.env.DATABASE_URL || undefined)
  created()
  try {
    return await fn(new ClientService({ db: store.db }))
  } finally {
    await store.close()
  }
}

/**
 * Opens the store with the master key, to change: every change leaves an
 * audit row (client_add, client_update, client_remove, token_issue,
 * token_revoke), and the audit chain's key is sealed under the master key.
 * Without a key: exit 78, nothing changed.
 */
async function withAuditedClients<T>(io: CliIO, fn: (clients: ClientService, by: ChangeActor) => Promise<T>): Promise<T> {
  return withSecrets(io, ({ store, service }) =>
    fn(new ClientService({ db: store.db, audit: new SecurityAudit({ db: store.db, log: service.auditLog }) }), { accessor: cliAccessor() }),
  )
}

const when = (t: string | null) => (t === null ? 'never' : t.replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, 'Z'))

const SUBCOMMANDS = 'add, grant, token, revoke, list or remove'

/**
 * DESIGN.md writes `--grant P...`: the words after a `--grant` value, up to
 * the next option or `--`, are more patterns. Rewritten here as repeated
 * `--grant` so the strict parser sees one form. Returns the rewritten
 * arguments and whether a word was taken that way.
 */
export function spreadGrants(args: readonly string[]): { args: string[]; spread: boolean } {
  const out: string[] = []
  let spread = false
  let afterGrant = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--') {
      out.push(...args.slice(i))
      break
    }
    if (arg.startsWith('-') && arg.length > 1) {
      afterGrant = arg === '--grant' || arg.startsWith('--grant=')
      out.push(arg)
      // `--grant VALUE`: the value itself, whatever it looks like, is the parser's to judge.
      if (arg === '--grant' && i + 1 < args.length) out.push(args[++i]!)
      continue
    }
    if (afterGrant) {
      out.push('--grant', arg)
      spread = true
    } else {
      out.push(arg)
    }
  }
  return { args: out, spread }
}

const client: Command = {
  help: `Usage: secrets client add NAME --grant PATTERN... [--description TEXT]
       secrets client grant NAME --grant PATTERN...
       secrets client token NAME [--ttl 30d]
       secrets client revoke NAME [--token ID]
       secrets client list [--json]
       secrets client remove NAME

Manages clients: machine identities (an MCP server, an agent, a CI job) that
read secrets from the server with a token instead of the master key
(docs/clients.md).

  add NAME     adds a client that may read the secrets its grants cover
  grant NAME   replaces the client's grant list with the given patterns
  token NAME   issues a token and prints it on standard output, once: it is
               stored only as a hash. Its id and expiry go to stderr.
  revoke NAME  revokes one token (--token ID) or every token of the client
  list         clients, grants, token ids, expiry and last use; never a token
  remove NAME  removes a client; its tokens stop working at once

  npx secrets client add mcp-github --grant 'GITHUB_*' --description "GitHub MCP server"
  npx secrets client token mcp-github --ttl 30d > mcp-github.token

Options:
  --grant PATTERN... (add, grant) a secret name (GITHUB_TOKEN), a prefix
                     ending in * (GITHUB_*), or * alone for every secret; give
                     several after one --grant, or repeat it. NAME comes first.
  --description TEXT (add) what the client is
  --ttl DURATION     (token) lifetime: 30d, 12h, 90m, 4w; default 90d, at most 3650d
  --token ID         (revoke) the id of one token, as list shows it
  --json             (list) one JSON document: {"clients": [...]}

NAME: a lowercase letter, then up to 63 lowercase letters, digits or "-".
Needs DATABASE_URL (default file:./data/secrets.db). Every subcommand but list
also needs the master key (CLAUDE_HOOKS_SECRET_KEY): each change leaves a row
in the audit chain (docs/audit.md), whose key is sealed under the master key.
`,
  async run(args, io) {
    const spread = spreadGrants(args)
    const { values, positionals } = parseCommandArgs(
      spread.args,
      {
        grant: { type: 'string', multiple: true },
        description: { type: 'string' },
        ttl: { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean' },
      },
      { min: 1, max: 2, names: `a subcommand (${SUBCOMMANDS})` },
    )
    const [action, rawName] = positionals
    const allowed: Record<string, readonly string[]> = {
      add: ['grant', 'description'],
      grant: ['grant'],
      token: ['ttl'],
      revoke: ['token'],
      list: ['json'],
      remove: [],
    }
    const flags = action === undefined ? undefined : allowed[action]
    if (!flags || !Object.hasOwn(allowed, action!)) throw new UsageError(`unknown subcommand "${action}" (${SUBCOMMANDS})`)
    for (const flag of Object.keys(values)) {
      if (!flags.includes(flag)) throw new UsageError(`--${flag} does not go with ${action}`)
    }
    if (action === 'list') {
      if (rawName !== undefined) throw unexpectedArgument(2)
      return withClients(io, async (clients) => {
        const list = await clients.list()
        if (values.json) {
          io.stdout(`${JSON.stringify({ clients: list }, null, 2)}\n`)
        } else if (list.length === 0) {
          io.stdout("No clients yet. Add one with:\n  npx secrets client add NAME --grant 'PREFIX_*'\n")
        } else {
          io.stdout(formatTable(['CLIENT', 'GRANTS', 'DESCRIPTION'], list.map((c) => [c.name, c.grants.join(' ') || '(none)', truncate(c.description, 40)])))
          const tokens = list.flatMap((c) =>
            c.tokens.map((t) => [c.name, t.id, t.revoked_at ? `revoked ${when(t.revoked_at)}` : when(t.expires_at), when(t.last_used_at)]),
          )
          if (tokens.length > 0) io.stdout(`\n${formatTable(['CLIENT', 'TOKEN ID', 'EXPIRES', 'LAST USED'], tokens)}`)
        }
        return EXIT.ok
      })
    }
    if (rawName === undefined) throw new UsageError(spread.spread ? 'missing NAME (it comes before --grant)' : 'missing NAME')
    const name = validateField('name', ClientNameSchema, rawName)
    const grants = values.grant ?? []
    if ((action === 'add' || action === 'grant') && grants.length === 0) {
      throw new UsageError(`--grant PATTERN is required (several may follow it); \`--grant '*'\` grants every secret`)
    }
    let ttl: number | undefined
    if (values.ttl !== undefined) {
      ttl = parseTtl(values.ttl)
      if (ttl === undefined) throw new UsageError(`--ttl ${TTL_RULE}`)
    }
    return withAuditedClients(io, async (clients, by) => {
      switch (action) {
        case 'add': {
          const added = await clients.add({ name, grants, description: values.description }, by)
          io.stdout(`added client ${added.name}, granted ${added.grants.join(' ')}\n`)
          break
        }
        case 'grant': {
          const updated = await clients.update(name, { grants }, by)
          io.stdout(`client ${updated.name} is now granted ${updated.grants.join(' ')}\n`)
          break
        }
        case 'token': {
          const { token, info } = await clients.issueToken(name, ttl, by)
          // The token alone on stdout, so `> file` or `$(...)` takes exactly it.
          io.stdout(`${token}\n`)
          io.stderr(`secrets: token ${info.id} for client ${name}, expires ${when(info.expires_at)}; it is not shown again\n`)
          break
        }
        case 'revoke': {
          const n = await clients.revoke(name, values.token, by)
          io.stdout(values.token === undefined ? `revoked ${n} token${n === 1 ? '' : 's'} of client ${name}\n` : `revoked token ${values.token} of client ${name}\n`)
          break
        }
        case 'remove': {
          await clients.remove(name, by)
          io.stdout(`removed client ${name}; its tokens no longer work\n`)
          break
        }
      }
      return EXIT.ok
    })
  },
}
export default client
