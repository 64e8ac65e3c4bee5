import { SecretNameSchema, validateField } from '../../secrets/validation.ts'
import { cliAccessor, clientModeFor, type Command, parseCommandArgs, UsageError, withLocalResolve } from '../command.ts'
import { checkActorFlags } from '../actor-flags.ts'
import { EXIT } from '../exit-codes.ts'
import { OutputError } from '../output-error.ts'
import type { Actor } from '../../secrets/types.ts'

const get: Command = {
  help: `Usage: secrets get NAME --reason WHY [--accessor WHO] [--reveal]

Writes the value of NAME to standard output as it is: no newline added,
bytes unchanged. The read leaves one audit row: accessor cli:USER (the login
name of the user running the command), label WHO, reason WHY.

Refused when standard output is a terminal (the value would stay on the
screen and in its scrollback), before anything is decrypted, unless
--reveal is given. Prefer a pipe or a variable:
  TOKEN=$(secrets get GITHUB_TOKEN --reason "release") ...
or, to hand values to a program, \`secrets run\`.

Options:
  --reason WHY    why, for the audit log (required)
  --accessor WHO  what reads the secret (a label for the audit log)
  --reveal        print to a terminal too

Client mode: with CLAUDE_HOOKS_SECRETS_URL and CLAUDE_HOOKS_SECRETS_TOKEN_FILE
(or _TOKEN) set, the value comes from that server's POST /resolve, with no
master key and no database; --accessor is refused (docs/clients.md).

Exit codes: 0 ok, 1 failure, 2 usage (also: a terminal without --reveal),
3 no such secret, 78 configuration.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { reason: { type: 'string' }, accessor: { type: 'string' }, reveal: { type: 'boolean' } },
      { min: 1, max: 1, names: 'NAME' },
    )
    if (values.reason === undefined) throw new UsageError('--reason WHY is required: it is written to the audit log')
    checkActorFlags(values)
    if (io.stdoutIsTTY && !values.reveal) {
      throw new UsageError('standard output is a terminal: pass --reveal to print the value there, or pipe it')
    }
    const name = validateField('name', SecretNameSchema, positionals[0])
    const actor: Actor = { accessor: cliAccessor(), label: values.accessor, reason: values.reason }
    const remote = await clientModeFor(io, values)
    const value = remote
      ? ((await (await import('../remote-client.ts')).remoteResolveAll(remote, values.reason)([name])).get(name)! as Uint8Array<ArrayBuffer>)
      : await withLocalResolve(io, actor, async (resolveAll) => (await resolveAll([name])).get(name)!)
    try {
      if (io.stdoutBytes) io.stdoutBytes(value)
      else io.stdout(new TextDecoder().decode(value))
    } catch (e) {
      throw e instanceof OutputError ? e.with(`the read of ${name} was audited`) : e
    } finally {
      value.fill(0)
    }
    return EXIT.ok
  },
}
export default get
