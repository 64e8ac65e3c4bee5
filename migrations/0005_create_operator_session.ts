import type { Kysely } from 'kysely'

/**
 * Operator sessions. The primary key is the SHA-256 of the session token, so
 * a copy of the database cannot be replayed as a cookie. Removing an operator
 * removes their sessions (the service deletes them too, in case a SQLite
 * connection runs without `foreign_keys`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('operator_session')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().references('operator.username').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute()
  // "Sessions of one operator": removal and listing go by username.
  await db.schema.createIndex('operator_session_username_idx').on('operator_session').column('username').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('operator_session').execute()
}
