import { copyFileSync, chmodSync, closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { sql } from 'kysely'
import type { Keyring } from '../crypto/keyring.ts'
import { SecretsService } from './service.ts'
import { openStore } from '../store/database.ts'
import { MIGRATIONS } from '../store/migrations.ts'
import { BackupError } from '../store/sqlite-backup.ts'
import { queryAll, sqliteInUse, walFiles, withSqliteHandle } from '../store/sqlite-files.ts'

/** What a restore put in place. */
export interface RestoreResult {
  /** The restored audit head, as `secrets audit head` prints it. */
  head: { last_id: number; chain: string; rows: number }
  /** Where the database that was replaced now is (undefined when there was none). */
  previous: string | undefined
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY)
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Integrity and schema of a copy, before anything else opens it. */
async function checkFile(copy: string, file: string): Promise<void> {
  await withSqliteHandle(copy, (handle) => {
    let integrity: Array<{ integrity_check: string }>
    try {
      integrity = queryAll(handle, 'PRAGMA integrity_check')
    } catch (e) {
      throw new BackupError(`${file} is not a SQLite database (${(e as Error).message})`, { cause: e })
    }
    if (integrity[0]?.integrity_check !== 'ok') {
      throw new BackupError(`${file} fails SQLite's integrity check: ${integrity.map((r) => r.integrity_check).slice(0, 3).join('; ')}`)
    }
    const tables = queryAll<{ name: string }>(handle, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'")
    if (tables.length === 0) throw new BackupError(`${file} is not a claude-hooks-secrets database (no migration table)`)
    const names = queryAll<{ name: string }>(handle, 'SELECT name FROM kysely_migration ORDER BY name').map((r) => r.name)
    const unknown = names.filter((n) => !Object.hasOwn(MIGRATIONS, n))
    if (unknown.length > 0) {
      throw new BackupError(`${file} has a newer schema than this build knows (migrations ${unknown.join(', ')}): restore it with the release that wrote it`)
    }
  })
}

/**
 * Replaces the SQLite database at `target` with the backup `file`:
 *
 * 1. copies the backup beside the target (mode 0600) and checks the copy,
 *    never the backup itself: SQLite integrity, a schema this build knows
 *    (an older one is migrated), every stored key id configured, the audit
 *    chain whole;
 * 2. refuses while another process (a server) has the target open;
 * 3. moves the old database aside (`…-before-restore-TIME`), removes its
 *    `-wal` and `-shm` so they cannot be replayed over the restored file,
 *    and renames the copy into place.
 *
 * @throws BackupError naming what failed; the target is untouched then.
 * @throws ConfigError for rows under a key id no configured key has.
 */
export async function restoreSqlite(target: string, file: string, keyring: Keyring): Promise<RestoreResult> {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist`)
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const copy = join(dirname(target), `.${basename(target)}.restore-${stamp}`)
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 })
  try {
    copyFileSync(file, copy, constants.COPYFILE_EXCL)
    chmodSync(copy, 0o600)
    await checkFile(copy, file)
    const store = await openStore(`file:${copy}`)
    let head: RestoreResult['head']
    try {
      const service = new SecretsService({ db: store.db, keyring })
      await service.assertKeysKnown()
      if (store.migrated.length > 0) await service.auditLog.seal(store.db)
      const verified = await service.auditLog.verify(store.db)
      if (!verified.ok) {
        throw new BackupError(`${file}: its audit chain is broken: row ${verified.id}: ${verified.problem}: ${verified.detail}`)
      }
      head = await service.auditLog.head(store.db)
      // Back to one self-contained file before it is moved.
      await sql`PRAGMA journal_mode = DELETE`.execute(store.db)
    } finally {
      await store.close()
    }
    if (await sqliteInUse(target)) {
      throw new BackupError(`${target} is in use by another process (a running server?): stop it, then restore`)
    }
    const previous = existsSync(target) ? `${target}-before-restore-${stamp}` : undefined
    if (previous) renameSync(target, previous)
    for (const f of walFiles(target)) rmSync(f, { force: true })
    renameSync(copy, target)
    fsyncDir(dirname(target))
    return { head, previous }
  } finally {
    for (const f of [copy, ...walFiles(copy)]) rmSync(f, { force: true })
  }
}
