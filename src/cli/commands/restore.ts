import { type Command, parseCommandArgs } from '../command.ts'
import { EXIT } from '../exit-codes.ts'

const restore: Command = {
  help: `Usage: secrets restore FILE

Replaces the SQLite store (DATABASE_URL) with the backup FILE (from
\`secrets backup\`). First checks a private copy of FILE: SQLite's
integrity check, a schema this build knows (an older one is migrated), the
stored key ids against the configured master keys, and the whole audit
chain. Refuses while another process (a running server) has the store
open: stop the service first. Then moves the old database aside (it is
kept as DATABASE-before-restore-TIME), removes its -wal and -shm so they
cannot be replayed over the restored file, and puts the copy in place.

Prints the restored audit head: compare it with a head exported before
(\`secrets audit verify --head FILE\`, docs/deploy.md). Needs the master key.
On PostgreSQL it refuses and says to use pg_restore.
`,
  async run(args, io) {
    const { positionals } = parseCommandArgs(args, {}, { min: 1, max: 1, names: 'FILE' })
    const file = positionals[0]!
    const { sqliteFileOf } = await import('../../store/sqlite-files.ts')
    const target = sqliteFileOf(io.env.DATABASE_URL, 'restore')
    const { loadKeyring } = await import('../../key-sources.ts')
    const keyring = await loadKeyring(io.env)
    const { restoreSqlite } = await import('../../secrets/sqlite-restore.ts')
    const { head, previous } = await restoreSqlite(target, file, keyring)
    io.stdout(`restored ${file} to ${target}\n`)
    io.stdout(`audit head: ${head.last_id} ${head.chain} (${head.rows} row${head.rows === 1 ? '' : 's'})\n`)
    if (previous) io.stdout(`the database it replaced is kept at ${previous}: remove it once the restore is checked\n`)
    return EXIT.ok
  },
}
export default restore
