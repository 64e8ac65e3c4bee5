import { type Command, parseCommandArgs } from '../command.ts'
import { EXIT } from '../exit-codes.ts'

const backup: Command = {
  help: `Usage: secrets backup FILE

Writes a consistent copy of the SQLite store (DATABASE_URL) to FILE while
the service keeps running: one snapshot of committed data, in one file
with mode 0600. Never writes over an existing FILE. Needs no master key:
the copy holds ciphertext only; keep it apart from the key all the same.
Prints the copy's audit head (as \`secrets audit head\` does), to keep with it.

On PostgreSQL it refuses and says to use pg_dump (docs/deploy.md, "Backup
and restore"). Restore with \`secrets restore FILE\`.
`,
  async run(args, io) {
    const { positionals } = parseCommandArgs(args, {}, { min: 1, max: 1, names: 'FILE' })
    const out = positionals[0]!
    const { sqliteFileOf, queryAll, withSqliteHandle } = await import('../../store/sqlite-files.ts')
    const { backupSqlite } = await import('../../store/sqlite-backup.ts')
    const path = sqliteFileOf(io.env.DATABASE_URL, 'backup')
    await backupSqlite(path, out)
    const head = await withSqliteHandle(out, (h) =>
      queryAll<{ last_id: number; chain: string }>(h, "SELECT last_id, chain FROM audit_chain_head WHERE id = 1"),
    )
    io.stdout(`backed up ${path} to ${out}\n`)
    if (head[0]) io.stdout(`audit head: ${head[0].last_id} ${head[0].chain}\n`)
    return EXIT.ok
  },
}
export default backup
