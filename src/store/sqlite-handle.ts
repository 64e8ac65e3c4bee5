/**
 * A raw SQLite connection and the settings every connection of the store
 * runs with, without Kysely: database.ts wraps the handle in Kysely, a local
 * `secrets render` uses it bare (sqlite-connection.ts).
 */
import type { SqliteDatabase } from 'kysely'
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { RUNTIME } from '../runtime.ts'

/** How long a SQLite writer waits for another writer's lock before failing. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000

/** The subset of a SQLite driver this module calls, whichever runtime provides it. */
export interface SqliteHandle extends SqliteDatabase {
  exec(sql: string): unknown
}

// Held in variables so bundlers leave these runtime-specific imports alone.
const BUN_SQLITE = 'bun:sqlite'
const BETTER_SQLITE3 = 'better-sqlite3'

/**
 * A raw SQLite connection (bun:sqlite under Bun, better-sqlite3 under Node),
 * without migrations or pragmas: for backup and restore, which must look at
 * a file before (or instead of) migrating it. The file is created when missing.
 */
export async function openSqliteHandle(path: string): Promise<SqliteHandle> {
  if (RUNTIME === 'bun') {
    type BunDatabase = SqliteHandle & { query(sql: string): ReturnType<SqliteHandle['prepare']> }
    const { Database } = (await import(BUN_SQLITE)) as { Database: new (path: string, opts?: object) => BunDatabase }
    const db = new Database(path, { create: true, strict: false })
    // `query` caches each statement on the database and finalizes it at close;
    // `prepare` (what Kysely calls) leaves statements unfinalized, which keeps
    // the file open after close() until they are garbage-collected.
    return { prepare: (sql: string) => db.query(sql), exec: (sql: string) => db.exec(sql), close: () => db.close() }
  }
  const BetterSqlite = (await import(BETTER_SQLITE3)).default as new (path: string) => SqliteHandle
  return new BetterSqlite(path)
}

/**
 * Creates the database file (and its directory) owner-only before SQLite
 * opens it. Only a file created here is opened and closed: closing any
 * descriptor of an existing one would release the POSIX locks another
 * connection of this process holds on it (test/store/sqlite-handle.test.ts).
 */
function prepareSqliteFile(path: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 })
  try {
    closeSync(openSync(path, 'wx', 0o600))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  }
  if (statSync(path).isDirectory()) throw Object.assign(new Error(`${path} is a directory, not a database file`), { code: 'EISDIR' })
  // openSync's mode only applies to a new file; an existing one is tightened too.
  chmodSync(path, 0o600)
}

/**
 * Opens the store's SQLite file (created owner-only when missing) with the
 * store's settings: WAL, the busy timeout, foreign keys, synchronous FULL,
 * transient files in memory.
 */
export async function openConfiguredSqlite(path: string): Promise<SqliteHandle> {
  if (path !== ':memory:') prepareSqliteFile(path)
  const handle = await openSqliteHandle(path)
  try {
    if (path !== ':memory:') handle.exec('PRAGMA journal_mode = WAL')
    handle.exec(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`)
    handle.exec('PRAGMA foreign_keys = ON')
    // FULL: an audit row that was reported written survives a power cut.
    handle.exec('PRAGMA synchronous = FULL')
    // Statement journals and other transient files in memory: a batch of audit
    // rows is one multi-row INSERT, whose statement journal otherwise spills
    // to a new file in /var/tmp past 64 KiB (one per batch). Only what a
    // statement may need to undo goes there; durability is the WAL's.
    handle.exec('PRAGMA temp_store = MEMORY')
  } catch (e) {
    handle.close()
    throw e
  }
  return handle
}
