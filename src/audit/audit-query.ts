/**
 * The audit table read across every secret, deleted ones included (the rows
 * keep the name, never a foreign key), newest first, filtered and keyset
 * paginated on the id: `GET /audit` and its export. Audit rows hold names,
 * identities, reasons and outcomes, never a value.
 */
import type { Kysely } from 'kysely'
import type { AccessLogEntry } from '../secrets/types.ts'
import type { AuditAction, AuditOutcome, Database } from '../store/schema.ts'

/** Which rows: every member that is set must match (AND). */
export interface AuditFilter {
  /** Exact secret name. */
  secret?: string | undefined
  /** Exact accessor (`operator:alice`, `client:mcp-github`, `cli:root`). */
  accessor?: string | undefined
  action?: AuditAction | undefined
  outcome?: AuditOutcome | undefined
  /** ISO 8601 UTC (as `toISOString` writes it): rows at or after it. */
  since?: string | undefined
  /** ISO 8601 UTC: rows before it (exclusive). */
  until?: string | undefined
}

/** One audit row across secrets: an access-log entry and the secret it names (null on rows that name none). */
export interface AuditRecord extends AccessLogEntry {
  secret: string | null
}

/**
 * One page of rows matching `filter` with an id below `beforeId` (all when
 * undefined), newest first. `at` is compared as text: every row's time is
 * written by `toISOString`, whose fixed format sorts as it reads.
 */
export async function searchAudit(
  db: Kysely<Database>,
  filter: AuditFilter,
  page: { limit: number; beforeId?: number | undefined },
): Promise<AuditRecord[]> {
  let query = db.selectFrom('secret_access_log').select([
    'id',
    'at',
    'secret_name',
    'action',
    'accessor',
    'label',
    'token_id',
    'client_address',
    'reason',
    'outcome',
    'version',
  ])
  if (filter.secret !== undefined) query = query.where('secret_name', '=', filter.secret)
  if (filter.accessor !== undefined) query = query.where('accessor', '=', filter.accessor)
  if (filter.action !== undefined) query = query.where('action', '=', filter.action)
  if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome)
  if (filter.since !== undefined) query = query.where('at', '>=', filter.since)
  if (filter.until !== undefined) query = query.where('at', '<', filter.until)
  if (page.beforeId !== undefined) query = query.where('id', '<', page.beforeId)
  const rows = await query.orderBy('id', 'desc').limit(page.limit).execute()
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    // Refused client tokens name no secret (`authenticate`): an empty name there.
    secret: r.secret_name === '' ? null : r.secret_name,
    action: r.action,
    accessor: r.accessor,
    label: r.label,
    token_id: r.token_id,
    client_address: r.client_address,
    reason: r.reason,
    outcome: r.outcome,
    // The version a mutation wrote (0010); null for reads, security events and older rows.
    version: r.version === null ? null : Number(r.version),
  }))
}

/**
 * Every row matching `filter`, newest first, read `batch` rows at a time
 * (each batch its own short query, so an export never holds a transaction
 * or the whole table in memory). Rows appended while it runs have larger
 * ids than the first batch's and are not included: the export is the log as
 * it stood when it began.
 */
export async function* allAudit(db: Kysely<Database>, filter: AuditFilter, batch = 500): AsyncGenerator<AuditRecord> {
  let beforeId: number | undefined
  for (;;) {
    const rows = await searchAudit(db, filter, { limit: batch, beforeId })
    for (const row of rows) yield row
    if (rows.length < batch) return
    beforeId = rows[rows.length - 1]!.id
  }
}
