import { type Command, parseCommandArgs, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { formatTable } from '../table.ts'

const keys: Command = {
  help: `Usage: secrets keys [--json]

Shows the configured master keys by key id: which is current, how many
secrets each seals, whether the audit chain still needs it (a chain key is
sealed under it), and whether a previous key can now be removed from
CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: it seals no secret and no audit chain key
any more. \`secrets rotate --all\` moves both onto the current key.
`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, { min: 0, max: 0, names: '' })
    return withSecrets(io, async ({ service, keyring, store }) => {
      const usage = new Map((await service.keyUsage()).map((u) => [u.key_id, u.rows]))
      const audit = await service.auditLog.masterKeysNeeded(store.db)
      const rows = keyring.ids.map((id) => {
        const current = id === keyring.current.id
        const secrets = usage.get(id) ?? 0
        return { key_id: id, current, secrets, audit: audit.has(id), removable: !current && secrets === 0 && !audit.has(id) }
      })
      if (values.json) {
        io.stdout(`${JSON.stringify({ keys: rows }, null, 2)}\n`)
        return EXIT.ok
      }
      io.stdout(
        formatTable(
          ['KEY ID', 'ROLE', 'SECRETS', 'AUDIT', 'NOTE'],
          rows.map((r) => [
            r.key_id,
            r.current ? 'current' : 'previous',
            String(r.secrets),
            r.audit ? 'needed' : '-',
            r.current ? '' : r.removable ? 'nothing sealed under it: can be removed' : 'still needed: run `secrets rotate --all`',
          ]),
        ),
      )
      return EXIT.ok
    })
  },
}
export default keys
