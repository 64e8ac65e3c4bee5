import type { Kysely } from 'kysely'

/**
 * The client side of a delivery on its audit rows (docs/clients.md): the id
 * of the token that asked (its public id, never the token) and the client's
 * network address. Both null on every older row and on rows no client
 * wrote. Covered by the audit chain (src/audit/chain.ts, encoding 3).
 * Independent of any other migration but 0002 (the table).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('secret_access_log').addColumn('token_id', 'text').execute()
  await db.schema.alterTable('secret_access_log').addColumn('client_address', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('secret_access_log').dropColumn('client_address').execute()
  await db.schema.alterTable('secret_access_log').dropColumn('token_id').execute()
}
