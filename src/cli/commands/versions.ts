import { SecretNameSchema, validateField } from '../../secrets/validation.ts'
import { type Command, parseCommandArgs, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { formatTable } from '../table.ts'

const versions: Command = {
  help: `Usage: secrets versions NAME [--json]

Lists the versions of the secret NAME, newest first: the current one and
the previous values kept (SECRET_VERSIONS_KEPT, default 10), with when each
was written and the master key id it is sealed under. Never a value;
decrypts and audits nothing. Every create, replace, rotate and rollback
makes a new version; \`secrets rollback NAME N\` writes version N's value
as a new one.

Options:
  --json  one JSON document: {"name", "current_version", "versions": [...]}
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, { min: 1, max: 1, names: 'NAME' })
    const name = validateField('name', SecretNameSchema, positionals[0])
    return withSecrets(io, async ({ service }) => {
      const list = await service.versions(name)
      if (values.json) {
        io.stdout(`${JSON.stringify(list, null, 2)}\n`)
        return EXIT.ok
      }
      const rows = list.versions.map((v) => [
        String(v.version),
        v.current ? 'current' : 'kept',
        v.created_at.replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, 'Z'),
        v.key_current ? v.key_id : `${v.key_id} (previous)`,
      ])
      io.stdout(formatTable(['VERSION', 'STATE', 'WRITTEN', 'KEY ID'], rows))
      return EXIT.ok
    })
  },
}
export default versions
