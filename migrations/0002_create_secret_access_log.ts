import type { Kysely } from 'kysely'
import { dialectOf } from '../src/store/dialect.ts'

/**
 * The audit trail. It keeps the secret's name rather than a foreign key with
 * ON DELETE CASCADE, so the history of a deleted secret stays readable.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = dialectOf(db) === 'postgres'
  await db.schema
    .createTable('secret_access_log')
    .addColumn('id', postgres ? 'bigint' : 'integer', (c) =>
      postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('secret_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('accessor', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute()
  // "Newest rows of one secret": the access-log page reads by name, id descending.
  await db.schema
    .createIndex('secret_access_log_name_id_idx')
    .on('secret_access_log')
    .columns(['secret_name', 'id desc'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('secret_access_log').execute()
}
