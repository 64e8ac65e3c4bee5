import type { Kysely, Selectable } from 'kysely'
import { dialectOf } from './dialect.ts'
import { placeholders, type Queryable, rawRows } from './raw-query.ts'
import type { Database, NewSecretRow, SecretRow, SecretTable, SecretUpdate } from './schema.ts'

/** Metadata columns only: what may leave the service. */
const METADATA = ['name', 'description', 'key_id', 'created_at', 'updated_at', 'rotated_at', 'version'] as const

/** A secret row without its sealed value. */
export type SecretMetadataRow = Pick<SecretRow, (typeof METADATA)[number]>

/**
 * BLOBs come back as `Uint8Array` on Bun, `Buffer` on Node and from pg: copy
 * into plain `Uint8Array`s so WebCrypto and equality checks see one type.
 */
export function toBytes(value: Uint8Array<ArrayBufferLike>): Uint8Array<ArrayBuffer> {
  return Uint8Array.prototype.slice.call(value) as Uint8Array<ArrayBuffer>
}

/** The columns a secret row and a kept version share, whose types differ by driver. */
type SealedColumns = Pick<SecretRow, 'version' | 'aad_format' | 'ciphertext' | 'iv' | 'auth_tag'>

/** A `secret` or `secret_version` row as read, with numbers as numbers (pg gives bigints as text) and plain byte arrays. */
export function mapSealedRow<R extends SealedColumns>(row: R): R {
  return {
    ...row,
    version: Number(row.version),
    aad_format: Number(row.aad_format),
    ciphertext: toBytes(row.ciphertext),
    iv: toBytes(row.iv),
    auth_tag: toBytes(row.auth_tag),
  }
}

/**
 * The filter of a compare-and-swap on a sealed value: the row `name` at the
 * version, key id, IV and tag that were read.
 */
export function sameSealFilter(name: string, seen: SealSeen) {
  return { name, version: seen.version, key_id: seen.key_id, iv: seen.iv, auth_tag: seen.auth_tag }
}

/** The full row (sealed value included) of one secret, or undefined. */
export async function findSecret(db: Kysely<Database>, name: string): Promise<SecretRow | undefined> {
  const row = await db.selectFrom('secret').selectAll().where('name', '=', name).executeTakeFirst()
  return row && mapSealedRow(row)
}

/** The full rows of the named secrets that exist (any order). */
export async function findSecrets(db: Queryable, names: readonly string[]): Promise<SecretRow[]> {
  if (names.length === 0) return []
  // Every render's query: as text (raw-query.ts); the same as selectFrom('secret').selectAll().where('name', 'in', names).
  const rows = await rawRows<Selectable<SecretTable>>(db, `select * from "secret" where "name" in (${placeholders(names.length)})`, names)
  return rows.map(mapSealedRow)
}

/**
 * The full row of one secret inside a write transaction, locked against
 * other writers until it ends: `FOR UPDATE` on PostgreSQL; on SQLite the
 * transaction's BEGIN IMMEDIATE holds the database's write lock already.
 * Writers lock the secret row first and the audit head last.
 */
export async function lockSecret(trx: Kysely<Database>, name: string): Promise<SecretRow | undefined> {
  const query = trx.selectFrom('secret').selectAll().where('name', '=', name)
  const row = await (dialectOf(trx) === 'postgres' ? query.forUpdate() : query).executeTakeFirst()
  return row && mapSealedRow(row)
}

/** Metadata of one secret, or undefined. */
export async function findSecretMetadata(db: Kysely<Database>, name: string): Promise<SecretMetadataRow | undefined> {
  return db.selectFrom('secret').select(METADATA).where('name', '=', name).executeTakeFirst()
}

/** Metadata of every secret, sorted by name. */
export async function listSecretMetadata(db: Kysely<Database>): Promise<SecretMetadataRow[]> {
  return db.selectFrom('secret').select(METADATA).orderBy('name').execute()
}

/** Which secrets exist among `names`. */
export async function existingNames(db: Kysely<Database>, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set()
  const rows = await db.selectFrom('secret').select('name').where('name', 'in', [...names]).execute()
  return new Set(rows.map((r) => r.name))
}

/** Inserts a new secret row. Throws the driver's unique-constraint error if the name exists. */
export async function insertSecret(db: Kysely<Database>, row: NewSecretRow): Promise<void> {
  await db.insertInto('secret').values(row).execute()
}

/** Updates one secret; returns how many rows changed (0 or 1). */
export async function updateSecret(db: Kysely<Database>, name: string, update: SecretUpdate): Promise<number> {
  const result = await db.updateTable('secret').set(update).where('name', '=', name).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** What a read-modify-write saw of a secret's sealed value: the update applies only if it is still there. */
export type SealSeen = Pick<SecretRow, 'key_id' | 'iv' | 'auth_tag' | 'version'>

/**
 * Updates one secret only if its sealed value is still the one `seen` was
 * read from (same version, key id, IV and tag: the IV is fresh for every encryption,
 * and the tag authenticates the ciphertext under it). A concurrent replace
 * or rotation wins and this changes nothing. Returns 0 or 1.
 */
export async function updateSecretIfUnchanged(
  db: Kysely<Database>,
  name: string,
  seen: SealSeen,
  update: SecretUpdate,
): Promise<number> {
  const result = await db
    .updateTable('secret')
    .set(update)
    .where((eb) => eb.and(sameSealFilter(name, seen)))
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Deletes one secret; returns how many rows went (0 or 1). */
export async function deleteSecret(db: Kysely<Database>, name: string): Promise<number> {
  const result = await db.deleteFrom('secret').where('name', '=', name).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * The distinct key ids in use, by a loose index scan: one `MIN(key_id) WHERE
 * key_id > last` per distinct id, each a seek on secret_key_id_idx, so the
 * start-up check costs the same for ten secrets or a million (a GROUP BY
 * walks the whole index: about 3 ms per 100,000 rows on every command).
 */
export async function distinctKeyIds(db: Queryable): Promise<string[]> {
  const ids: string[] = []
  let last = ''
  for (;;) {
    // As text (raw-query.ts): every command's boot check, a local render's without Kysely.
    const [row] = await rawRows<{ key_id: string | null }>(db, 'select min("key_id") as "key_id" from "secret" where "key_id" > ?', [last])
    if (!row?.key_id) return ids
    ids.push(row.key_id)
    last = row.key_id
  }
}

/** How many rows each key id seals (or only the given ones), for `secrets keys` and error messages. */
export async function countByKeyId(
  db: Kysely<Database>,
  only?: readonly string[],
): Promise<Array<{ key_id: string; rows: number }>> {
  let query = db.selectFrom('secret').select(['key_id', (eb) => eb.fn.countAll<number | string>().as('rows')])
  if (only) query = query.where('key_id', 'in', [...only])
  const rows = await query
    .groupBy('key_id')
    .orderBy('key_id')
    .execute()
  return rows.map((r) => ({ key_id: r.key_id, rows: Number(r.rows) }))
}

/**
 * Full rows not sealed under `currentKeyId` or still under the additional
 * data of format 1 (`claude-hooks-secret:v1:NAME`), in name order after
 * `after`, at most `limit`.
 */
export async function findStaleSecrets(
  db: Kysely<Database>,
  currentKeyId: string,
  after: string,
  limit: number,
): Promise<SecretRow[]> {
  const rows = await db
    .selectFrom('secret')
    .selectAll()
    .where((eb) => eb.or([eb('key_id', '!=', currentKeyId), eb('aad_format', '=', 1)]))
    .where('name', '>', after)
    .orderBy('name')
    .limit(limit)
    .execute()
  return rows.map(mapSealedRow)
}

/** How many secrets under the current key are still sealed with the format-1 additional data (`rotate --all` moves them). */
export async function countFormat1UnderKey(db: Kysely<Database>, currentKeyId: string): Promise<number> {
  const row = await db
    .selectFrom('secret')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('aad_format', '=', 1)
    .where('key_id', '=', currentKeyId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
