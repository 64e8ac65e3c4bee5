import { type Kysely, sql } from 'kysely'
import { dialectOf } from './dialect.ts'

/**
 * Runs `fn` in a write transaction on one connection and commits, or rolls
 * back and rethrows `fn`'s (or COMMIT's) own error.
 *
 * Why not `db.transaction()`: when SQLite hits a full disk or an I/O error
 * it rolls the transaction back by itself, Kysely's ROLLBACK then fails with
 * "no transaction is active", and that error replaces the one that matters.
 * Here a failed ROLLBACK is ignored and the original error is reported.
 * On SQLite the transaction is BEGIN IMMEDIATE: it takes the write lock up
 * front (waiting the busy timeout), so a transaction that reads before it
 * writes cannot fail half-way on a lock upgrade.
 */
export async function writeTransaction<DB, T>(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  const begin = dialectOf(db) === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN'
  return db.connection().execute(async (conn) => {
    await sql.raw(begin).execute(conn)
    try {
      const result = await fn(conn)
      await sql.raw('COMMIT').execute(conn)
      return result
    } catch (error) {
      try {
        await sql.raw('ROLLBACK').execute(conn)
      } catch {
        // Already rolled back by the database (SQLITE_FULL, SQLITE_IOERR): keep the original error.
      }
      throw error
    }
  })
}
