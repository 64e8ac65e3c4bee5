import type { Kysely, Selectable } from 'kysely'
import type { Database } from '../store/schema.ts'

/**
 * Row types of the operator tables (migrations 0004 and 0005). Kept here, not
 * in src/store/schema.ts: only this folder reads them, and
 * {@link operatorDb} adds them to the store's Kysely instance.
 */
// Type aliases, not interfaces: withTables<T> wants index-compatible records.
export type OperatorTable = {
  username: string
  /** PHC string: `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (password-hash.ts). */
  password_hash: string
  created_at: string
  last_login_at: string | null
}

export type OperatorSessionTable = {
  /** base64url SHA-256 of the session token; the token itself is never stored. */
  token_hash: string
  username: string
  created_at: string
  last_seen_at: string
}

/** The tables this folder adds to the store. */
export type OperatorTables = {
  operator: OperatorTable
  operator_session: OperatorSessionTable
}

/** A Kysely instance that knows the secrets tables and the operator tables. */
export type OperatorDb = Kysely<Database & OperatorTables>

/** The store's Kysely instance, typed to see the operator tables too. */
export function operatorDb(db: Kysely<Database>): OperatorDb {
  return db.withTables<OperatorTables>() as OperatorDb
}

export type OperatorRow = Selectable<OperatorTable>
export type OperatorSessionRow = Selectable<OperatorSessionTable>
