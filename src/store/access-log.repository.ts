import type { Kysely } from 'kysely'
import type { AccessLogRow, Database } from './schema.ts'

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
