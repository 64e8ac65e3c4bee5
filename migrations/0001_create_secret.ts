import type { Kysely } from 'kysely'
import { bytesType } from '../src/store/dialect.ts'

/** The encrypted secrets: one row per name, value sealed with AES-256-GCM. */
export async function up(db: Kysely<any>): Promise<void> {
  const bytes = bytesType(db)
  await db.schema
    .createTable('secret')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('ciphertext', bytes, (c) => c.notNull())
    .addColumn('iv', bytes, (c) => c.notNull())
    .addColumn('auth_tag', bytes, (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('rotated_at', 'text', (c) => c.notNull())
    .execute()
  // Start-up groups rows by key id to refuse keys it does not have; rotation scans by it.
  await db.schema.createIndex('secret_key_id_idx').on('secret').column('key_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('secret').execute()
}
