import type { Kysely } from 'kysely'
import { dialectOf, isSqlConnection, type Queryable, runSql } from './raw-query.ts'

/**
 * Runs `fn` in a write transaction on one connection and commits, or rolls
 * back and rethrows `fn`'s (or COMMIT's) own error. On Kysely or on a bare
 * connection (raw-query.ts: Queryable); `fn` gets the same kind.
 *
 * Why not `db.transaction()`: when SQLite hits a full disk or an I/O error
 * it rolls the transaction back by itself, Kysely's ROLLBACK then fails with
 * "no transaction is active", and that error replaces the one that matters.
 * Here a failed ROLLBACK is ignored and the original error is reported.
 * On SQLite the transaction is BEGIN IMMEDIATE: it takes the write lock up
 * front (waiting the busy timeout), so a transaction that reads before it
 * writes cannot fail half-way on a lock upgrade.
 */
export async function writeTransaction<Q extends Queryable, T>(db: Q, fn: (trx: Q) => Promise<T>): Promise<T> {
  const begin = dialectOf(db) === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN'
  const body = async (conn: Q): Promise<T> => {
    await runSql(conn, begin, [])
    try {
      const result = await fn(conn)
      await runSql(conn, 'COMMIT', [])
      return result
    } catch (error) {
      try {
        await runSql(conn, 'ROLLBACK', [])
      } catch {
        // Already rolled back by the database (SQLITE_FULL, SQLITE_IOERR): keep the original error.
      }
      throw error
    }
  }
  if (isSqlConnection(db)) return db.exclusive((conn) => body(conn as Q))
  return (db as Kysely<any>).connection().execute((conn) => body(conn as Q))
}
