import type { Kysely } from 'kysely'
import { dialectOf } from './dialect.ts'
import type { Database, SecretRow, SecretVersionRow } from './schema.ts'
import { mapSealedRow, sameSealFilter } from './secret.repository.ts'

/** What the versions list shows of a kept version: never its sealed value. */
export type SecretVersionMetadataRow = Pick<SecretVersionRow, 'version' | 'key_id' | 'created_at'>

/** Keeps the row a secret has now as a previous version (inside the writer's transaction, which holds the secret row). */
export async function keepVersion(trx: Kysely<Database>, current: SecretRow): Promise<void> {
  await trx
    .insertInto('secret_version')
    .values({
      name: current.name,
      version: current.version,
      ciphertext: current.ciphertext,
      iv: current.iv,
      auth_tag: current.auth_tag,
      key_id: current.key_id,
      aad_format: current.aad_format,
      created_at: current.rotated_at,
    })
    .execute()
}

/** The kept versions of a secret past the newest `kept`, removed; returns their version numbers (oldest first). */
export async function pruneVersions(trx: Kysely<Database>, name: string, kept: number): Promise<number[]> {
  const rows = await trx.selectFrom('secret_version').select('version').where('name', '=', name).orderBy('version', 'desc').execute()
  const pruned = rows.slice(kept).map((r) => Number(r.version)).reverse()
  if (pruned.length > 0) await trx.deleteFrom('secret_version').where('name', '=', name).where('version', 'in', pruned).execute()
  return pruned
}

/** The kept versions of a secret, newest first, metadata only. */
export async function listVersionMetadata(db: Kysely<Database>, name: string): Promise<SecretVersionMetadataRow[]> {
  const rows = await db.selectFrom('secret_version').select(['version', 'key_id', 'created_at']).where('name', '=', name).orderBy('version', 'desc').execute()
  return rows.map((r) => ({ ...r, version: Number(r.version) }))
}

/** Removes every kept version of a secret (its delete); returns how many went. */
export async function deleteVersions(trx: Kysely<Database>, name: string): Promise<number> {
  const result = await trx.deleteFrom('secret_version').where('name', '=', name).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** The kept versions, sealed values included, in (name, version) order after `after`, at most `limit`: one page of a walk. */
function versionsAfter(db: Kysely<Database>, after: { name: string; version: number } | undefined, limit: number) {
  return db
    .selectFrom('secret_version')
    .selectAll()
    .$if(after !== undefined, (query) =>
      query.where((eb) =>
        eb.or([eb('name', '>', after!.name), eb.and([eb('name', '=', after!.name), eb('version', '>', after!.version)])]),
      ),
    )
    .orderBy('name')
    .orderBy('version')
    .limit(limit)
}

/** Every kept version, sealed value included, in (name, version) order after `after`, at most `limit`: for `audit verify`. */
export async function pageVersions(
  db: Kysely<Database>,
  after: { name: string; version: number } | undefined,
  limit: number,
): Promise<SecretVersionRow[]> {
  const rows = await versionsAfter(db, after, limit).execute()
  return rows.map(mapSealedRow)
}

/** Kept versions not sealed under `currentKeyId` or under the format-1 additional data, after `after`, at most `limit` (`rotate --all`). */
export async function findStaleVersions(
  db: Kysely<Database>,
  currentKeyId: string,
  after: { name: string; version: number } | undefined,
  limit: number,
): Promise<SecretVersionRow[]> {
  const rows = await versionsAfter(db, after, limit)
    .where((eb) => eb.or([eb('key_id', '!=', currentKeyId), eb('aad_format', '=', 1)]))
    .execute()
  return rows.map(mapSealedRow)
}

/** Re-seals one kept version in place, only if it still holds what was read (same key id, IV and tag). Returns 0 or 1. */
export async function updateVersionIfUnchanged(
  trx: Kysely<Database>,
  seen: Pick<SecretVersionRow, 'name' | 'version' | 'key_id' | 'iv' | 'auth_tag'>,
  update: Pick<SecretVersionRow, 'ciphertext' | 'iv' | 'auth_tag' | 'key_id' | 'aad_format'>,
): Promise<number> {
  const result = await trx
    .updateTable('secret_version')
    .set(update)
    .where((eb) => eb.and(sameSealFilter(seen.name, seen)))
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Kept versions per key id (`secrets keys`: a key is removable only when nothing, kept versions included, is sealed under it). */
export async function countVersionsByKeyId(db: Kysely<Database>): Promise<Array<{ key_id: string; rows: number }>> {
  const rows = await db
    .selectFrom('secret_version')
    .select(['key_id', (eb) => eb.fn.countAll<number | string>().as('rows')])
    .groupBy('key_id')
    .orderBy('key_id')
    .execute()
  return rows.map((r) => ({ key_id: r.key_id, rows: Number(r.rows) }))
}

/**
 * One kept version inside a write transaction, locked against other writers
 * until it ends (`FOR UPDATE` on PostgreSQL; SQLite's BEGIN IMMEDIATE holds
 * the write lock already), or undefined when it is gone.
 */
export async function lockVersion(trx: Kysely<Database>, name: string, version: number): Promise<SecretVersionRow | undefined> {
  const query = trx.selectFrom('secret_version').selectAll().where('name', '=', name).where('version', '=', version)
  const row = await (dialectOf(trx) === 'postgres' ? query.forUpdate() : query).executeTakeFirst()
  return row && mapSealedRow(row)
}

/** Whether two reads of a sealed value are the same write (same version, key id, IV and tag). */
export function sameSeal(
  a: Pick<SecretVersionRow, 'version' | 'key_id' | 'iv' | 'auth_tag'>,
  b: Pick<SecretVersionRow, 'version' | 'key_id' | 'iv' | 'auth_tag'>,
): boolean {
  const eq = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i])
  return a.version === b.version && a.key_id === b.key_id && eq(a.iv, b.iv) && eq(a.auth_tag, b.auth_tag)
}
