import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import { DEFAULT_DATABASE_URL, type DatabaseLocation, parseDatabaseUrl } from './database-url.ts'
import type { DialectName } from './dialect.ts'
import { migrateToLatest } from './migrations.ts'
import { storeFault } from './driver-errors.ts'
import { openError } from './open-errors.ts'
import type { Database } from './schema.ts'
import { openConfiguredSqlite } from './sqlite-handle.ts'

export { DEFAULT_DATABASE_URL, type DatabaseLocation, parseDatabaseUrl } from './database-url.ts'
export { openSqliteHandle, SQLITE_BUSY_TIMEOUT_MS, type SqliteHandle } from './sqlite-handle.ts'

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

async function openSqlite(path: string): Promise<{ db: Kysely<Database>; dataVersion: () => number }> {
  const handle = await openConfiguredSqlite(path)
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
