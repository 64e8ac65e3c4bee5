import type { Kysely } from 'kysely'

/**
 * Operators: the people who may log in to the HTTP API and the UI. The
 * password is kept only as a PHC-format scrypt hash (docs/operators.md).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('operator')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_login_at', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('operator').execute()
}
