import type { Kysely, Selectable } from 'kysely'
import type { Database } from '../store/schema.ts'

/**
 * Row types of the client tables (migration 0008). Kept here, like the
 * operator tables: only this folder reads them, and {@link clientDb} adds
 * them to the store's Kysely instance.
 */
// Type aliases, not interfaces: withTables<T> wants index-compatible records.
export type ClientTable = {
  name: string
  description: string
  created_at: string
  updated_at: string
}

export type ClientGrantTable = {
  client_name: string
  /** An exact secret name, a prefix ending in `*`, or `*` alone (grant.ts). */
  pattern: string
}

export type ClientTokenTable = {
  /** The token's public id: 16 lowercase hex characters (client-token.ts). */
  id: string
  client_name: string
  /** Hex SHA-256 of the token's text; the token itself is never stored. */
  token_hash: string
  created_at: string
  expires_at: string
  last_used_at: string | null
  revoked_at: string | null
}

/** The tables this folder adds to the store. */
export type ClientTables = {
  client: ClientTable
  client_grant: ClientGrantTable
  client_token: ClientTokenTable
}

/** A Kysely instance that knows the secrets tables and the client tables. */
export type ClientDb = Kysely<Database & ClientTables>

/** The store's Kysely instance, typed to see the client tables too. */
export function clientDb(db: Kysely<Database>): ClientDb {
  return db.withTables<ClientTables>() as ClientDb
}

export type ClientRow = Selectable<ClientTable>
export type ClientTokenRow = Selectable<ClientTokenTable>
