/**
 * A SQLite store as files: the database and the `-wal` and `-shm` beside
 * it, which belong to it and must move (or go) together. A `-wal` left
 * beside a replaced database is replayed over it on the next open
 * (docs/deploy.md), which is why restore removes them with the database.
 */
import { existsSync } from 'node:fs'
import { ConfigError } from '../errors.ts'
import { openSqliteHandle, parseDatabaseUrl, SQLITE_BUSY_TIMEOUT_MS, type SqliteHandle } from './database.ts'

/** The companion files of a SQLite database in WAL mode. */
export function walFiles(path: string): [string, string] {
  return [`${path}-wal`, `${path}-shm`]
}

/**
 * The SQLite file a `DATABASE_URL` names, for backup and restore.
 * @throws ConfigError on PostgreSQL (saying which tool to use instead) or for an in-memory database.
 */
export function sqliteFileOf(url: string | undefined, command: 'backup' | 'restore'): string {
  const location = parseDatabaseUrl(url || undefined)
  if (location.kind === 'postgres') {
    const tool = command === 'backup' ? 'pg_dump --format=custom' : 'pg_restore --clean --if-exists'
    throw new ConfigError(`secrets ${command} copies SQLite stores; DATABASE_URL is PostgreSQL: use ${tool} (docs/deploy.md, "Backup and restore")`)
  }
  if (location.path === ':memory:') throw new ConfigError(`secrets ${command}: DATABASE_URL is an in-memory database; there is no file to ${command}`)
  return location.path
}

/** Runs `fn` on a raw connection to `path` and closes it whatever happens. */
export async function withSqliteHandle<T>(path: string, fn: (handle: SqliteHandle) => T | Promise<T>): Promise<T> {
  const handle = await openSqliteHandle(path)
  try {
    handle.exec(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`)
    return await fn(handle)
  } finally {
    handle.close()
  }
}

/** The rows of one query on a raw connection. */
export function queryAll<T>(handle: SqliteHandle, sql: string, params: unknown[] = []): T[] {
  return handle.prepare(sql).all(params) as T[]
}

/**
 * Whether another process has the database open. In WAL mode every open
 * connection holds a shared lock on the file; the last one to close takes
 * the exclusive lock, checkpoints, and deletes the `-wal` and `-shm`. So:
 * open, read, close; if the `-wal` or `-shm` is still there, someone else
 * holds the database (a server, a CLI command). A `-wal` left by a process
 * that was killed has no holder: this open checkpoints it and it goes.
 */
export async function sqliteInUse(path: string): Promise<boolean> {
  if (!existsSync(path)) return false
  await withSqliteHandle(path, (handle) => {
    handle.exec('PRAGMA journal_mode = WAL')
    queryAll(handle, 'SELECT count(*) AS n FROM sqlite_master')
  })
  return walFiles(path).some((f) => existsSync(f))
}
