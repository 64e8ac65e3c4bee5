import { type Kysely, PostgresAdapter } from 'kysely'

/** Which SQL dialect a Kysely instance speaks; migrations branch on it where column types differ. */
export type DialectName = 'sqlite' | 'postgres'

/** The dialect of a Kysely instance, read from its adapter. */
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

/** The column type for raw bytes: `blob` on SQLite, `bytea` on PostgreSQL. */
export function bytesType(db: Kysely<any>): 'blob' | 'bytea' {
  return dialectOf(db) === 'postgres' ? 'bytea' : 'blob'
}
