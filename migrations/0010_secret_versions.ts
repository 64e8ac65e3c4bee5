import type { Kysely } from 'kysely'
import { bytesType } from '../src/store/dialect.ts'

/**
 * Versions and check-and-set (docs/http-api.md, "Versions").
 *
 * - `secret.version`: the current version, 1 for every existing row.
 *   `secret.aad_format`: which additional data sealed the value, 1 for
 *   `claude-hooks-secret:v1:NAME` (every existing row), 2 for
 *   `claude-hooks-secret:v2:NAME:VERSION` (every row written from now on;
 *   `rotate --all` moves the old ones).
 * - `secret_version`: the previous values kept (SECRET_VERSIONS_KEPT), sealed
 *   like the current one; removed with their secret.
 * - The audit row gains `version` and `ciphertext_sha256` (hex SHA-256 of the
 *   ciphertext a mutation wrote), chained by encoding 4 (src/audit/chain.ts);
 *   null on every older row.
 * - `audit_chain_head.versions_baseline`: 0 until a command holding the
 *   master key has written one `baseline` audit row per existing secret
 *   (its version and hash as found), so `secrets audit verify` can check
 *   every secret row against its last audited mutation. A migration holds
 *   no key, so it cannot append to the chain itself (as in 0006).
 *
 * Independent of any other migration but 0001, 0002 and 0003 (the tables).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const bytes = bytesType(db)
  await db.schema.alterTable('secret').addColumn('version', 'integer', (c) => c.notNull().defaultTo(1)).execute()
  await db.schema.alterTable('secret').addColumn('aad_format', 'integer', (c) => c.notNull().defaultTo(1)).execute()
  await db.schema
    .createTable('secret_version')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('ciphertext', bytes, (c) => c.notNull())
    .addColumn('iv', bytes, (c) => c.notNull())
    .addColumn('auth_tag', bytes, (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('aad_format', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('secret_version_pk', ['name', 'version'])
    .execute()
  // `secrets keys` counts kept versions by key id; `rotate --all` finds the stale ones.
  await db.schema.createIndex('secret_version_key_id_idx').on('secret_version').column('key_id').execute()
  await db.schema.alterTable('secret_access_log').addColumn('version', 'integer').execute()
  await db.schema.alterTable('secret_access_log').addColumn('ciphertext_sha256', 'text').execute()
  await db.schema.alterTable('audit_chain_head').addColumn('versions_baseline', 'integer', (c) => c.notNull().defaultTo(0)).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_chain_head').dropColumn('versions_baseline').execute()
  await db.schema.alterTable('secret_access_log').dropColumn('ciphertext_sha256').execute()
  await db.schema.alterTable('secret_access_log').dropColumn('version').execute()
  await db.schema.dropTable('secret_version').execute()
  await db.schema.alterTable('secret').dropColumn('aad_format').execute()
  await db.schema.alterTable('secret').dropColumn('version').execute()
}
