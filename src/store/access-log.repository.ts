import type { Kysely } from 'kysely'
import type { AccessLogRow, Database, NewAccessLogRow } from './schema.ts'

/**
 * Appends audit rows. Callers pass a transaction when the rows must commit
 * together with a change (a mutation and its audit row are one unit).
 */
export async function appendAccessLog(db: Kysely<Database>, rows: readonly NewAccessLogRow[]): Promise<void> {
  if (rows.length === 0) return
  await db.insertInto('secret_access_log').values([...rows]).execute()
}

/**
 * One page of a secret's audit rows, newest first: rows with an id below
 * `beforeId` (all when undefined). Keyset pagination on the id, so a page
 * stays stable while new rows arrive.
 */
export async function listAccessLog(
  db: Kysely<Database>,
  name: string,
  page: { limit: number; beforeId?: number },
): Promise<AccessLogRow[]> {
  let query = db.selectFrom('secret_access_log').selectAll().where('secret_name', '=', name)
  if (page.beforeId !== undefined) query = query.where('id', '<', page.beforeId)
  const rows = await query.orderBy('id', 'desc').limit(page.limit).execute()
  return rows.map((r) => ({ ...r, id: Number(r.id) }))
}
