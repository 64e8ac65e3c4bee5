import type { Kysely } from 'kysely'

/**
 * Machine clients (docs/clients.md): a client, the secret-name patterns it
 * is granted, and its tokens. A token is kept only as the SHA-256 of its
 * text, beside its public id (the first 8 of its 32 random bytes, in hex),
 * so a lookup goes by id and the hash is compared in constant time. Removing
 * a client removes its grants and tokens (the service deletes them too, in
 * case a SQLite connection runs without `foreign_keys`).
 *
 * Depends on nothing after 0005.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('client')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('client_grant')
    .addColumn('client_name', 'text', (c) => c.notNull().references('client.name').onDelete('cascade'))
    .addColumn('pattern', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_grant_pk', ['client_name', 'pattern'])
    .execute()
  await db.schema
    .createTable('client_token')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_name', 'text', (c) => c.notNull().references('client.name').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute()
  // "Tokens of one client": listing and revoking all go by client.
  await db.schema.createIndex('client_token_client_idx').on('client_token').column('client_name').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('client_token').execute()
  await db.schema.dropTable('client_grant').execute()
  await db.schema.dropTable('client').execute()
}
