import type { Kysely } from 'kysely'

/**
 * The tamper-evident audit chain. Every access-log row gets `chain` (hex
 * HMAC-SHA256 over the previous row's chain value and its own fields, under
 * a key derived from a master key) and `chain_key_id` (which master key).
 * `audit_chain_head` holds the newest link: appends lock it first, so
 * concurrent writers (processes, servers) keep one chain.
 *
 * No release wrote audit rows before this migration, so there is nothing to
 * back-fill (a migration has no key to do it with); `secrets audit verify`
 * reports any row without a chain value as changed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('secret_access_log').addColumn('chain', 'text').execute()
  await db.schema.alterTable('secret_access_log').addColumn('chain_key_id', 'text').execute()
  await db.schema
    .createTable('audit_chain_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('last_id', 'bigint', (c) => c.notNull())
    .addColumn('chain', 'text', (c) => c.notNull())
    .execute()
  // The genesis link: before the first row, the chain value is 32 zero bytes.
  await db.insertInto('audit_chain_head').values({ id: 1, last_id: 0, chain: '0'.repeat(64) }).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_chain_head').execute()
  await db.schema.alterTable('secret_access_log').dropColumn('chain_key_id').execute()
  await db.schema.alterTable('secret_access_log').dropColumn('chain').execute()
}
