import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely'
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { ConfigError } from '../errors.ts'
import { RUNTIME } from '../runtime.ts'
import type { DialectName } from './dialect.ts'
import { migrateToLatest } from './migrations.ts'
import { storeFault } from './driver-errors.ts'
import { openError } from './open-errors.ts'
import type { Database } from './schema.ts'

/** The default `DATABASE_URL`: a SQLite file beside the working directory. */
export const DEFAULT_DATABASE_URL = 'file:./data/secrets.db'

/** How long a SQLite writer waits for another writer's lock before failing. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000

/** An open database: the Kysely instance, its dialect, and how to close it. */
export interface Store {
  readonly db: Kysely<Database>
  readonly dialect: DialectName
  /** Where the database is (`parseDatabaseUrl`); describeLocation in open-errors.ts says it without the password. */
  readonly location: DatabaseLocation
  /** The migrations this open ran (empty when the schema was current already). */
  readonly migrated: readonly string[]
  /**
   * SQLite only: `PRAGMA data_version` read synchronously on the driver's
   * handle (database-generation.ts), without Kysely's connection queue. It
   * only reads a counter of the connection, so it may run between the
   * statements of another request's transaction.
   */
  readonly dataVersion?: () => number
  close(): Promise<void>
}

/** Where a `DATABASE_URL` points. */
export type DatabaseLocation =
  | { kind: 'sqlite'; path: string | ':memory:' }
  | { kind: 'postgres'; url: string }

/**
 * Parses a `DATABASE_URL`: `file:PATH` (or a bare path) for SQLite,
 * `file::memory:` / `:memory:` for an in-memory SQLite database, and
 * `postgres://` / `postgresql://` for PostgreSQL.
 * @throws ConfigError for another scheme.
 */
export function parseDatabaseUrl(url: string = DEFAULT_DATABASE_URL): DatabaseLocation {
  if (url === ':memory:' || url === 'file::memory:') return { kind: 'sqlite', path: ':memory:' }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url }
  if (url.startsWith('file://')) return { kind: 'sqlite', path: decodeURIComponent(new URL(url).pathname) }
  if (url.startsWith('file:')) return { kind: 'sqlite', path: url.slice('file:'.length) }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new ConfigError('DATABASE_URL must start with file: (SQLite) or postgres:// (PostgreSQL)')
  }
  return { kind: 'sqlite', path: url }
}

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

/** Creates the database file (and its directory) owner-only before SQLite opens it. */
function prepareSqliteFile(path: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 })
  closeSync(openSync(path, 'a', 0o600))
  // openSync's mode only applies to a new file; an existing one is tightened too.
  chmodSync(path, 0o600)
}

async function openSqlite(path: string): Promise<{ db: Kysely<Database>; dataVersion: () => number }> {
  if (path !== ':memory:') prepareSqliteFile(path)
  const handle = await openSqliteHandle(path)
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
  const pragma = handle.prepare('PRAGMA data_version')
  const dataVersion = () => Number((pragma.all([]) as Array<{ data_version: number }>)[0]?.data_version)
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: handle }) }), dataVersion }
}

async function openPostgres(url: string): Promise<Kysely<Database>> {
  const pg = (await import('pg')).default
  // bigint (the audit id) as a JS number: ids stay far below 2^53.
  pg.types.setTypeParser(20, (v: string) => Number(v))
  // A connection attempt that hangs (a host that drops packets) fails after 10 s instead of never.
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 })
  // An idle connection that the server closes (restart, failover) emits
  // 'error' on the pool; unhandled, that would end the process. The pool
  // drops the connection and the next query opens a new one.
  pool.on('error', (error: Error) => {
    process.stderr.write(`secrets: an idle database connection was closed: ${error.message}\n`)
  })
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

/** What to throw when opening failed: a full disk, a held lock or a read-only file as the driver said it (main and the error handler know them), anything else named by where and why. */
function opening(error: unknown, location: DatabaseLocation): unknown {
  const fault = storeFault(error)
  return fault && fault.code !== 'store_unavailable' ? error : openError(error, location)
}

/**
 * Opens the database named by `url` (default {@link DEFAULT_DATABASE_URL}) and
 * migrates it to the latest schema. SQLite: `bun:sqlite` under Bun,
 * better-sqlite3 under Node; WAL, busy timeout, foreign keys on; the file is
 * created with mode 0600 in a 0700 directory.
 *
 * @throws ConfigError for a URL it does not understand, a login the server
 *   refuses, a missing database, or a schema newer than this build;
 *   StoreUnavailableError when the database does not answer. Each names
 *   where the database is (never the password) and why (open-errors.ts).
 */
export async function openStore(url: string = DEFAULT_DATABASE_URL): Promise<Store> {
  const location = parseDatabaseUrl(url)
  let opened: { db: Kysely<Database>; dataVersion: (() => number) | undefined }
  try {
    opened = location.kind === 'postgres' ? { db: await openPostgres(location.url), dataVersion: undefined } : await openSqlite(location.path)
  } catch (e) {
    throw opening(e, location)
  }
  const db = opened.db
  let migrated: string[]
  try {
    const result = await migrateToLatest(db)
    migrated = (result?.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
  } catch (e) {
    await db.destroy()
    throw opening(e, location)
  }
  let closed = false
  return {
    db,
    dialect: location.kind,
    location,
    migrated,
    ...(opened.dataVersion ? { dataVersion: opened.dataVersion } : {}),
    async close() {
      if (closed) return
      closed = true
      await db.destroy()
    },
  }
}
