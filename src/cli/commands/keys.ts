import { type Command, parseCommandArgs, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { formatTable } from '../table.ts'

const keys: Command = {
  help: `Usage: secrets keys [--json]

Shows the configured master keys by key id: which is current, how many
secrets each seals, and whether a previous key can now be removed from
CLAUDE_HOOKS_SECRET_KEY_PREVIOUS (it seals no secret any more; keep it while
you want \`secrets audit verify\` to check audit rows chained under it).
`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, { min: 0, max: 0, names: '' })
    return withSecrets(io, async ({ service, keyring }) => {
      const usage = new Map((await service.keyUsage()).map((u) => [u.key_id, u.rows]))
      const rows = keyring.ids.map((id) => {
        const current = id === keyring.current.id
        const secrets = usage.get(id) ?? 0
        return { key_id: id, current, secrets, removable: !current && secrets === 0 }
      })
      if (values.json) {
        io.stdout(`${JSON.stringify({ keys: rows }, null, 2)}\n`)
        return EXIT.ok
      }
      io.stdout(
        formatTable(
          ['KEY ID', 'ROLE', 'SECRETS', 'NOTE'],
          rows.map((r) => [
            r.key_id,
            r.current ? 'current' : 'previous',
            String(r.secrets),
            r.current ? '' : r.removable ? 'no secrets left: can be removed' : 'still needed: run `secrets rotate --all`',
          ]),
        ),
      )
      return EXIT.ok
    })
  },
}
export default keys
