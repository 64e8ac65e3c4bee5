/**
 * A SQLite handle as a SqlConnection (raw-query.ts): the raw queries, the
 * transactions and the audit log's append run on it without Kysely, which
 * a local `secrets render` then never loads (sqlite-reader.ts). Statements
 * run one at a time, as on Kysely's one SQLite connection: a caller of
 * `exclusive` (a transaction) has the handle to itself until its function
 * settles, and other callers' statements wait for it.
 */
import type { SqlConnection } from './raw-query.ts'
import type { SqliteHandle } from './sqlite-handle.ts'

type Statement = ReturnType<SqliteHandle['prepare']> & { reader?: boolean }

/** `handle` as a SqlConnection. */
export function sqliteConnection(handle: SqliteHandle): SqlConnection {
  // What Kysely's SqliteConnection does with a compiled query: all() for a statement that returns rows, run() otherwise.
  const run = <R>(text: string, params: readonly unknown[]): Promise<R[]> => {
    const stmt = handle.prepare(text) as Statement
    if (stmt.reader) return Promise.resolve(stmt.all(params) as R[])
    stmt.run(params)
    return Promise.resolve([])
  }
  // Inside `exclusive`: statements run at once (the caller holds the handle).
  const held: SqlConnection = { dialect: 'sqlite', rows: run, exclusive: (fn) => fn(held) }
  let tail: Promise<unknown> = Promise.resolve()
  const lock = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn)
    tail = result.catch(() => undefined)
    return result
  }
  return {
    dialect: 'sqlite',
    rows: (text, params) => lock(() => run(text, params)),
    exclusive: (fn) => lock(() => fn(held)),
  }
}
