import { renderTemplates } from '../../render/templates.ts'
import { cliAccessor, clientModeFor, type Command, parseCommandArgs, UsageError, withLocalResolve } from '../command.ts'
import { checkActorFlags } from '../actor-flags.ts'
import { remoteResolveAll } from '../remote-client.ts'
import type { CliIO } from '../io.ts'
import { childEnv } from '../run/child-env.ts'
import { runChild } from '../run/child.ts'
import { parseEnvOption, placeInFile, readEnvFile, type TemplateOrigin } from '../run/env-spec.ts'
import { MalformedPlaceholderError } from '../../errors.ts'
import { collectNames } from '../../render/names.ts'
import type { Actor } from '../../secrets/types.ts'

/**
 * Where the values come from: names -> value bytes, every name existing or
 * MissingSecretError listing the missing ones, audited before returning.
 * The local store (command.ts withLocalResolve); in client mode the
 * server's POST /resolve (remoteResolveAll) takes its place.
 */
function localValues(io: CliIO, actor: Actor) {
  return <T>(use: (resolveAll: (names: string[]) => Promise<Map<string, Uint8Array>>) => Promise<T>) => withLocalResolve(io, actor, use)
}

const run: Command = {
  help: `Usage: secrets run [--env NAME=TEMPLATE]... [--env-file FILE]... [--isolate]
                   [--no-mask] --reason WHY [--accessor WHO] -- CMD [ARGS...]

Starts CMD with the variables rendered from the templates added to its
environment, never to its command line. A TEMPLATE is text with
\${SECRET:NAME} placeholders (and filters, \${SECRET:NAME|base64}, as in
\`secrets render\`, format raw): --env 'GITHUB_TOKEN=\${SECRET:GITHUB_TOKEN}'.
Quote it so the shell leaves the \${...} alone.

--env-file FILE reads dotenv lines NAME=TEMPLATE: an optional "export "
before NAME, the value optionally in single or double quotes (taken as it
is: no escapes, no comments after it), "#" comment lines and blank lines.
A bad line is a usage error naming FILE and the line. Later --env and
--env-file entries replace earlier ones of the same NAME.

Every template is checked and every secret found before any is decrypted;
each secret used is decrypted once and leaves one audit row: accessor
cli:USER (the login name of the user running the command), label WHO,
reason WHY. A missing secret or a malformed placeholder: exit 3 and CMD is
not started.

CMD never receives CLAUDE_HOOKS_SECRET_KEY, CLAUDE_HOOKS_SECRET_KEY_PREVIOUS,
CLAUDE_HOOKS_SECRETS_TOKEN or their _FILE variants (nor may --env set
them). --isolate gives CMD only PATH, HOME, LANG, TERM and TZ of this
environment, and the rendered variables.

Masking (the default): CMD's stdout and stderr go through pipes, and every
secret value of 4 bytes or more in them, and every rendered variable that
used a secret, is replaced by <concealed>, also when split across writes;
all other bytes pass unchanged. CMD's output is then not a terminal.
--no-mask gives CMD this process's stdout and stderr as they are. Masking
is a guard against accidents (a debug line, an error dump), not against
CMD: CMD has the values and can write them elsewhere or encoded.

SIGINT, SIGTERM and SIGHUP are passed on to CMD. The exit status is CMD's:
its exit code, or 128 + N when signal N ended it (as a shell reports it);
127 when CMD is not found, 126 when it cannot be started.

Options:
  --env NAME=TEMPLATE  a variable to set (repeatable)
  --env-file FILE      dotenv lines of variables (repeatable)
  --isolate            CMD gets only PATH, HOME, LANG, TERM, TZ and the variables
  --no-mask            CMD's output is not masked
  --reason WHY         why, for the audit log (required)
  --accessor WHO       what reads the secrets (a label for the audit log)

Client mode: with CLAUDE_HOOKS_SECRETS_URL and CLAUDE_HOOKS_SECRETS_TOKEN_FILE
(or _TOKEN) set, the values come from that server's POST /resolve, with no
master key and no database; --accessor is refused (the token is the
identity) and a name the client is not granted starts nothing (exit 1).
docs/clients.md.

Exit codes: CMD's; before CMD starts: 1 failure, 2 usage, 3 missing secret or
malformed placeholder, 78 configuration.
`,
  async run(args, io) {
    const dash = args.indexOf('--')
    if (dash < 0) throw new UsageError('missing -- CMD: the command to run follows --')
    const [command, ...commandArgs] = args.slice(dash + 1)
    if (command === undefined) throw new UsageError('missing CMD after --')
    const { values } = parseCommandArgs(
      args.slice(0, dash),
      {
        env: { type: 'string', multiple: true },
        'env-file': { type: 'string', multiple: true },
        isolate: { type: 'boolean' },
        'no-mask': { type: 'boolean' },
        reason: { type: 'string' },
        accessor: { type: 'string' },
      },
      { min: 0, max: 0, names: '' },
    )
    if (values.reason === undefined) throw new UsageError('--reason WHY is required: it is written to the audit log')
    // In the order given, so a later entry replaces an earlier one of the same name.
    const templates: Record<string, string> = {}
    const origins = new Map<string, TemplateOrigin | undefined>()
    for (const [name, template, origin] of orderedEntries(args.slice(0, dash))) {
      templates[name] = template
      origins.set(name, origin)
    }
    const actor: Actor = { accessor: cliAccessor(), label: values.accessor, reason: values.reason }
    const remote = await clientModeFor(io, values)
    checkActorFlags(values)
    // A malformed placeholder in a file's line is reported at its place in that file, before anything is resolved.
    for (const [name, origin] of origins) {
      if (origin === undefined) continue
      try {
        collectNames(new TextEncoder().encode(templates[name]!), 'raw')
      } catch (e) {
        throw e instanceof MalformedPlaceholderError ? placeInFile(e, name, origin) : e
      }
    }
    const { rendered, concealable } = remote
      ? await renderTemplates(templates, remoteResolveAll(remote, values.reason))
      : await localValues(io, actor)((resolveAll) => renderTemplates(templates, resolveAll))
    return runChild({
      command,
      args: commandArgs,
      env: childEnv(io.env, rendered, values.isolate === true),
      conceal: values['no-mask'] ? null : concealable,
      say: io.stderr,
    })
  },
}
export default run

/** The --env and --env-file entries in command-line order (parseArgs keeps each kind apart). */
function orderedEntries(args: string[]): [string, string, TemplateOrigin | undefined][] {
  const out: [string, string, TemplateOrigin | undefined][] = []
  let envs = 0
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const inline = (flag: string) => (a.startsWith(`${flag}=`) ? a.slice(flag.length + 1) : a === flag ? args[++i]! : undefined)
    const env = inline('--env')
    if (env !== undefined) {
      out.push([...parseEnvOption(env, ++envs), undefined])
      continue
    }
    const file = inline('--env-file')
    if (file !== undefined) {
      const at = new Map<string, TemplateOrigin>()
      for (const [name, template] of readEnvFile(file, (name, line, column) => at.set(name, { path: file, line, column }))) out.push([name, template, at.get(name)])
    } else if (a === '--reason' || a === '--accessor') i++
  }
  return out
}
