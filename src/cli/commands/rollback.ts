import { SecretNameSchema, validateField } from '../../secrets/validation.ts'
import { cliAccessor, type Command, parseCommandArgs, UsageError, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { parseIfVersion } from '../if-version.ts'

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
    const { values, positionals } = parseCommandArgs(
      args,
      { reason: { type: 'string' }, 'if-version': { type: 'string' } },
      { min: 2, max: 2, names: 'NAME and VERSION' },
    )
    const name = validateField('name', SecretNameSchema, positionals[0])
    const text = positionals[1]!
    if (!/^[1-9][0-9]{0,9}$/.test(text) || Number(text) > 2 ** 31 - 1) throw new UsageError('VERSION must be a whole number from 1 up')
    const ifVersion = parseIfVersion(values['if-version'])
    const actor = { accessor: cliAccessor(), reason: values.reason ?? 'secrets rollback' }
    return withSecrets(io, async ({ service }) => {
      const secret = await service.rollback(name, Number(text), actor, { ifVersion })
      io.stdout(`rolled back ${secret.name} to the value of version ${text}, now version ${secret.version} (key ${secret.key_id})\n`)
      return EXIT.ok
    })
  },
}
export default rollback
