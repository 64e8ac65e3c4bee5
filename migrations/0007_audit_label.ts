import type { Kysely } from 'kysely'

/**
 * The free-text label a caller declares (`secrets render --accessor ci`),
 * kept apart from `accessor`, which holds only the identity the service
 * established itself (`cli:<login name from the uid>`, `operator:<username>`):
 * a label can say anything, even `operator:bob`, without posing as one.
 * Null on every older row and where no label was given. Independent of any
 * other migration but 0002 (the table).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('secret_access_log').addColumn('label', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('secret_access_log').dropColumn('label').execute()
}
