import { type Command, parseCommandArgs, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { escapeUnsafeJson, escapeUnsafeText } from '../../rules.ts'
import { formatTable, truncate } from '../table.ts'

const list: Command = {
  help: `Usage: secrets list [--json]

Lists the secrets: name, current version, description, when the value last changed or was
re-encrypted, and the id of the master key it is sealed under ("previous"
when that is not the current key; \`secrets rotate --all\` fixes it). Never
a value. Control and text-direction characters in a description (possible
in rows older than the rule that refuses them) are printed as \\uXXXX.

Options:
  --json  one JSON document: {"secrets": [...], "current_key_id": "..."}
`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, { min: 0, max: 0, names: '' })
    return withSecrets(io, async ({ service }) => {
      const secrets = await service.list()
      if (values.json) {
        io.stdout(`${escapeUnsafeJson(JSON.stringify({ secrets, current_key_id: service.currentKeyId }, null, 2))}\n`)
        return EXIT.ok
      }
      if (secrets.length === 0) {
        io.stdout('No secrets yet. Add one with:\n  printf %s "$VALUE" | npx secrets set NAME --description "what it is for"\n')
        return EXIT.ok
      }
      const rows = secrets.map((s) => [
        s.name,
        String(s.version),
        truncate(escapeUnsafeText(s.description), 48),
        s.rotated_at.replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, 'Z'),
        s.key_current ? s.key_id : `${s.key_id} (previous)`,
      ])
      io.stdout(formatTable(['NAME', 'VERSION', 'DESCRIPTION', 'ROTATED', 'KEY ID'], rows))
      return EXIT.ok
    })
  },
}
export default list
