import { type Command, parseCommandArgs, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { formatTable } from '../table.ts'

const keys: Command = {
  help: `Usage: secrets keys [--json]

Shows the configured master keys by key id: which is current, how many
secrets and kept previous versions (KEPT) each seals, whether the audit
chain still needs it (a chain key is sealed under it), and whether a
previous key can now be removed from CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: it
seals no secret, no kept version and no audit chain key \`secrets rotate --all\` moves them all onto the current key.
`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, { min: 0, max: 0, names: '' })
    return withSecrets(io, async ({ service, keyring, store }) => {
      const all = await service.keyUsage()
      const usage = new Map(all.map((u) => [u.key_id, u.rows]))
      const kept = new Map(all.map((u) => [u.key_id, u.versions]))
      const audit = await service.auditLog.masterKeysNeeded(store.db)
      const rows = keyring.ids.map((id) => {
        const current = id === keyring.current.id
        const secrets = usage.get(id) ?? 0
        const versions = kept.get(id) ?? 0
        return { key_id: id, current, secrets, versions, audit: audit.has(id), removable: !current && secrets === 0 && versions === 0 && !audit.has(id) }
      })
      if (values.json) {
        io.stdout(`${JSON.stringify({ keys: rows }, null, 2)}\n`)
        return EXIT.ok
      }
      io.stdout(
        formatTable(
          ['KEY ID', 'ROLE', 'SECRETS', 'KEPT', 'AUDIT', 'NOTE'],
          rows.map((r) => [
            r.key_id,
            r.current ? 'current' : 'previous',
            String(r.secrets),
            String(r.versions),
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
