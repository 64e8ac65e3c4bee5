import { type Kysely, sql } from 'kysely'
import { encodeHex } from '../crypto/encoding.ts'
import type { Database } from '../store/schema.ts'
import { GENESIS_CHAIN } from './chain.ts'

/** Which rows `secrets audit export` writes. Times are ISO 8601 UTC, compared with the rows' `at`. */
export interface ExportFilter {
  /** Rows at or after this time. */
  since?: string | undefined
  /** Rows before this time. */
  until?: string | undefined
  /** Rows of this secret only. */
  secret?: string | undefined
}

/**
 * One exported row: every column of `secret_access_log` as the database
 * holds it (columns added later flow through unchanged; bytes as hex), the
 * id as a number, and `prev_chain`, the chain value of the row before it
 * (64 zeros before row 1), so each row can be re-verified on its own:
 * chain = HMAC-SHA256(K[chain_key_id], bytes(prev_chain) || canonical(row)) (docs/audit.md).
 */
export type ExportedRow = Record<string, unknown> & { id: number; chain: string | null; prev_chain: string | null }

/**
 * The next `limit` rows with an id above `afterId` that pass the filter,
 * oldest first. Keyset paging on the id: a follower asks again with the
 * last id it wrote. Ids are reserved under the chain head's lock and the
 * rows commit with it, so a reader never sees a row before the ones with
 * lower ids.
 */
export async function exportPage(db: Kysely<Database>, filter: ExportFilter, afterId: number, limit: number): Promise<ExportedRow[]> {
  let q = db
    .selectFrom('secret_access_log as r')
    .leftJoin('secret_access_log as p', (join) => join.on(sql`p.id`, '=', sql`r.id - 1`))
    .selectAll('r')
    .select('p.chain as prev_chain')
    .where('r.id', '>', afterId)
  if (filter.since !== undefined) q = q.where('r.at', '>=', filter.since)
  if (filter.until !== undefined) q = q.where('r.at', '<', filter.until)
  if (filter.secret !== undefined) q = q.where('r.secret_name', '=', filter.secret)
  const rows = (await q.orderBy('r.id').limit(limit).execute()) as Array<Record<string, unknown>>
  return rows.map(exportedRow)
}

function exportedRow(raw: Record<string, unknown>): ExportedRow {
  const out: Record<string, unknown> = {}
  for (const [column, value] of Object.entries(raw)) {
    if (column === 'prev_chain') continue
    out[column] = value instanceof Uint8Array ? encodeHex(value) : value
  }
  const id = Number(raw.id)
  out.id = id
  out.prev_chain = id === 1 ? GENESIS_CHAIN : (raw.prev_chain ?? null)
  return out as ExportedRow
}
