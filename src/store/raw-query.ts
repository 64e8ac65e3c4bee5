/**
 * Hot queries as SQL text, bound without Kysely's builder: building,
 * freezing and compiling a query tree cost about 15-25 us of CPU each on
 * Bun, and `POST /render` runs three of them per request (the token, its
 * grants, the secrets). The text is written with `?` placeholders and
 * numbered (`$1`) for PostgreSQL once per text.
 *
 * It runs on either of two things (Queryable): a Kysely instance or
 * transaction (through the same connection and transaction as every other
 * query), or a SqlConnection, a bare SQLite handle without Kysely
 * (sqlite-connection.ts: what a local `secrets render` reads and audits
 * through, so it never loads Kysely). This file imports no Kysely value,
 * only its types, for that reason.
 */
import type { CompiledQuery, Kysely, RawNode } from 'kysely'
import type { DialectName } from './dialect.ts'

/** A database connection that runs SQL text, without Kysely (sqlite-connection.ts). */
export interface SqlConnection {
  readonly dialect: DialectName
  /** Runs `text` (final placeholders) with `params`; its rows (none for a statement without any). */
  rows<R>(text: string, params: readonly unknown[]): Promise<R[]>
  /** Runs `fn` with this connection to itself: no other caller's statement runs in between (a transaction's scope). */
  exclusive<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T>
}

/** What the raw queries, the transactions and the audit log's append run on. */
export type Queryable = Kysely<any> | SqlConnection

/** Whether `db` is a bare connection rather than Kysely. */
export function isSqlConnection(db: Queryable): db is SqlConnection {
  return typeof (db as Partial<SqlConnection>).exclusive === 'function'
}

/** The dialect of a Kysely instance or a connection. */
export function dialectOf(db: Queryable): DialectName {
  if (isSqlConnection(db)) return db.dialect
  // PostgreSQL runs DDL inside transactions, SQLite's Kysely adapter says it does not (the only two dialects here).
  return db.getExecutor().adapter.supportsTransactionalDdl ? 'postgres' : 'sqlite'
}

const numbered = new Map<string, string>()

function forDialect(db: Queryable, text: string): string {
  if (dialectOf(db) !== 'postgres') return text
  let out = numbered.get(text)
  if (out === undefined) {
    let n = 0
    out = text.replace(/\?/g, () => `$${++n}`)
    if (numbered.size > 256) numbered.clear()
    numbered.set(text, out)
  }
  return out
}

/** `?, ?, ?` for a list of `n` values. */
export function placeholders(n: number): string {
  return n === 1 ? '?' : Array.from({ length: n }, () => '?').join(', ')
}

/**
 * Runs `text` exactly as given (placeholders already in the dialect's
 * spelling: `?` on SQLite, `$1` on PostgreSQL) with `params`; its rows.
 */
export async function runSql<R>(db: Queryable, text: string, params: readonly unknown[]): Promise<R[]> {
  if (isSqlConnection(db)) return db.rows<R>(text, params)
  // CompiledQuery.raw(text, params) without importing Kysely (and without
  // freezing the parameters, which for thousands of values cost more than
  // the query): the same fields, which is all a driver reads.
  const query: RawNode = { kind: 'RawNode', sqlFragments: [text], parameters: [] }
  const compiled: CompiledQuery<R> = { sql: text, parameters: params, query, queryId: { queryId: '' } }
  return (await db.executeQuery<R>(compiled)).rows
}

/** Runs `text` (with `?` placeholders, identifiers quoted) with `params`; its rows. */
export function rawRows<R>(db: Queryable, text: string, params: readonly unknown[]): Promise<R[]> {
  return runSql<R>(db, forDialect(db, text), params)
}
