import type { Kysely } from 'kysely'
import { dialectOf } from './raw-query.ts'

export { dialectOf } from './raw-query.ts'

/** Which SQL dialect a Kysely instance speaks; migrations branch on it where column types differ. */
export type DialectName = 'sqlite' | 'postgres'

/** The column type for raw bytes: `blob` on SQLite, `bytea` on PostgreSQL. */
export function bytesType(db: Kysely<any>): 'blob' | 'bytea' {
  return dialectOf(db) === 'postgres' ? 'bytea' : 'blob'
}
