import { type Command, parseCommandArgs, UsageError, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'

const audit: Command = {
  help: `Usage: secrets audit verify
       secrets audit head [--json]

verify  Walks the tamper-evident audit chain and recomputes every link.
        Prints "ok: N rows" and exits 0, or names the first broken row and
        what is wrong (changed, missing, reordered, unverifiable) and exits 1.
head    Prints the newest link (row id and chain value). Keep a copy outside
        this machine (a ticket, a log shipper): deleting the newest rows and
        rewriting the head is the one edit verify cannot see on its own;
        compare a saved head with \`secrets audit verify\` output later.

Each link is HMAC-SHA256 over the previous link and the row's fields, under
a key derived from a master key with HKDF, so editing the database without
the master key cannot forge rows. Verifying rows chained under a retired key
needs that key in CLAUDE_HOOKS_SECRET_KEY_PREVIOUS.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, { min: 1, max: 1, names: 'verify or head' })
    const sub = positionals[0]
    if (sub !== 'verify' && sub !== 'head') throw new UsageError(`unknown subcommand "${sub}": use verify or head`)
    return withSecrets(io, async ({ service, store }) => {
      if (sub === 'head') {
        const head = await service.auditLog.head(store.db)
        io.stdout(values.json ? `${JSON.stringify(head)}\n` : `${head.last_id} ${head.chain}\n`)
        return EXIT.ok
      }
      const result = await service.auditLog.verify(store.db)
      if (result.ok) {
        io.stdout(`ok: ${result.rows} rows (head ${result.head.last_id} ${result.head.chain})\n`)
        return EXIT.ok
      }
      io.stdout(`broken: row ${result.id}: ${result.problem}: ${result.detail} (${result.rows} rows verified before it)\n`)
      return EXIT.failure
    })
  },
}
export default audit
