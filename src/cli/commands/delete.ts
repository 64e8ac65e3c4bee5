import { type Command, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { parseGuardedWriteArgs } from '../if-version.ts'

const del: Command = {
  help: `Usage: secrets delete NAME [--if-version N] [--reason TEXT]

Deletes the secret NAME for good, with every kept version of it. Its audit
history stays (\`GET /secrets/NAME/access-log\`). Audited as "delete".

Options:
  --if-version N  only if NAME is at version N now (check-and-set; exit 1 otherwise)
  --reason TEXT   why, for the audit log (default: "secrets delete")
`,
  async run(args, io) {
    const { name, ifVersion, actor } = parseGuardedWriteArgs(args, 'delete', { count: 1, names: 'NAME' })
    return withSecrets(io, async ({ service }) => {
      await service.delete(name, actor, { ifVersion })
      io.stdout(`deleted ${name}\n`)
      return EXIT.ok
    })
  },
}
export default del
