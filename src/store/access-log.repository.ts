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

/** When a secret was last read with success, and by whom. */
export interface LastRead {
  at: string
  accessor: string
}

/**
 * The newest successful read of every existing secret, in one query: for
 * each secret row, a correlated subquery walks the (secret_name, id) index
 * backwards to its newest `read`/`ok` row, so the cost follows the number of
 * secrets, not the size of the audit table. Secrets never read (since they
 * were last created) are absent.
 */
export async function lastReads(db: Kysely<Database>): Promise<Map<string, LastRead>> {
  const rows = await db
    .selectFrom('secret as s')
    .innerJoin('secret_access_log as l', (join) =>
      join.on('l.id', '=', (eb) =>
        eb
          .selectFrom('secret_access_log as x')
          .select('x.id')
          .whereRef('x.secret_name', '=', 's.name')
          // Not a read of an earlier secret of the same name, deleted since.
          .whereRef('x.at', '>=', 's.created_at')
          .where('x.action', '=', 'read')
          .where('x.outcome', '=', 'ok')
          .orderBy('x.id', 'desc')
          .limit(1),
      ),
    )
    .select(['s.name', 'l.at', 'l.accessor'])
    .execute()
  return new Map(rows.map((r) => [r.name, { at: r.at, accessor: r.accessor }]))
}
