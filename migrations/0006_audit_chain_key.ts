import { type Kysely, sql } from 'kysely'

/**
 * The audit chain gets keys of its own and an authenticated head.
 *
 * - `audit_chain_key`: every key the chain was ever extended under, in the
 *   order it was used (`seq`). A `random` key is 32 random bytes stored
 *   sealed (AES-256-GCM) under a master key; `derived` keys are the ones the
 *   code before this migration used, HKDF of a master key, with the master
 *   key's id as their id. Rotation re-seals every key under the new master
 *   key, so the chain never depends on which master key was in force.
 * - `audit_chain_head` gains `row_count`, the sealed current chain key
 *   (`chain_key`, JSON) and `mac`, an HMAC over (last id, chain, row count,
 *   chain key id) under that key: truncating or emptying the log without the
 *   master key no longer verifies.
 *
 * A migration holds no key: it registers the derived keys of the existing
 * rows (unsealed) and counts the rows; the first command that runs with the
 * master key seals the keys it can and authenticates the head
 * (src/audit/chain-seal.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_chain_key')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sealed_by', 'text')
    .addColumn('sealed', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.alterTable('audit_chain_head').addColumn('row_count', 'bigint', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('audit_chain_head').addColumn('chain_key', 'text').execute()
  await db.schema.alterTable('audit_chain_head').addColumn('mac', 'text').execute()
  await sql`UPDATE audit_chain_head SET row_count = (SELECT count(*) FROM secret_access_log)`.execute(db)
  const legacy = await db
    .selectFrom('secret_access_log')
    .select(['chain_key_id', (eb) => eb.fn.min('id').as('first')])
    .where('chain_key_id', 'is not', null)
    .groupBy('chain_key_id')
    .orderBy('first')
    .execute()
  const at = new Date().toISOString()
  for (const [i, row] of legacy.entries()) {
    await db
      .insertInto('audit_chain_key')
      .values({ id: row.chain_key_id, seq: i + 1, kind: 'derived', sealed_by: null, sealed: null, created_at: at })
      .execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_chain_head').dropColumn('mac').execute()
  await db.schema.alterTable('audit_chain_head').dropColumn('chain_key').execute()
  await db.schema.alterTable('audit_chain_head').dropColumn('row_count').execute()
  await db.schema.dropTable('audit_chain_key').execute()
}
