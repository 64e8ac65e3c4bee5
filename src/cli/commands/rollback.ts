import { type Command, UsageError, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { parseGuardedWriteArgs } from '../if-version.ts'

const rollback: Command = {
  help: `Usage: secrets rollback NAME VERSION [--if-version N] [--reason TEXT]

Writes the value of a kept previous version of NAME as a new version (the
current value is kept in turn, so a rollback can itself be rolled back).
The value is decrypted and re-sealed inside the service, never printed.
Audited as "rollback" with the new version. \`secrets versions NAME\` lists
the versions kept.

  npx secrets rollback GITHUB_TOKEN 3

Options:
  --if-version N  only if NAME is at version N now (check-and-set; exit 1 otherwise)
  --reason TEXT   why, for the audit log (default: "secrets rollback")
`,
  async run(args, io) {
    const { name, rest: text, ifVersion, actor } = parseGuardedWriteArgs(args, 'rollback', { count: 2, names: ['NAME', 'VERSION'] }, ([text]) => {
      if (!/^[1-9][0-9]{0,9}$/.test(text!) || Number(text) > 2 ** 31 - 1) throw new UsageError('VERSION must be a whole number from 1 up')
      return text!
    })
    return withSecrets(io, async ({ service }) => {
      const secret = await service.rollback(name, Number(text), actor, { ifVersion })
      io.stdout(`rolled back ${secret.name} to the value of version ${text}, now version ${secret.version} (key ${secret.key_id})\n`)
      return EXIT.ok
    })
  },
}
export default rollback
