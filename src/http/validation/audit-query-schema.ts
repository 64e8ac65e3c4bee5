import * as v from 'valibot'
import type { AuditFilter } from '../../audit/audit-query.ts'
import { HttpError } from '../http-error.ts'
import { AccessorSchema, SecretNameSchema } from '../../secrets/validation.ts'
import { accessLogPageEntries } from './request-schemas.ts'

import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '../../audit/actions.ts'

const ONCE = 'must be given once'
const TIME_RULE = 'must be an ISO 8601 UTC time: 2026-12-01, 2026-12-01T13:45Z or 2026-12-01T13:45:00.000Z'
// A date, or a date and time ending in Z: no offsets (rows are UTC, compared as text), no local times.
const TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/

/** An ISO time parameter, normalised to the `toISOString` form the rows are written in. */
const TimeParam = v.pipe(
  v.string(ONCE),
  v.regex(TIME, TIME_RULE),
  v.check((t) => !Number.isNaN(Date.parse(t)) && new Date(t).toISOString().slice(0, 10) === t.slice(0, 10), TIME_RULE),
  v.transform((t) => new Date(t).toISOString()),
)

/** The filters shared by `GET /audit` and `GET /audit/export`. */
const filterEntries = {
  secret: v.optional(v.pipe(v.string(ONCE), SecretNameSchema)),
  accessor: v.optional(v.pipe(v.string(ONCE), AccessorSchema)),
  action: v.optional(v.picklist(AUDIT_ACTIONS, `must be one of ${AUDIT_ACTIONS.join(', ')}`)),
  outcome: v.optional(v.picklist(AUDIT_OUTCOMES, `must be one of ${AUDIT_OUTCOMES.join(', ')}`)),
  since: v.optional(TimeParam),
  until: v.optional(TimeParam),
}

/** `GET /audit/export?secret=&accessor=&action=&outcome=&since=&until=`. */
export const AuditExportQuery = v.strictObject(filterEntries)

/** `GET /audit?…&limit=&cursor=`: the filters and the access log's paging. */
export const AuditQuery = v.strictObject({ ...filterEntries, ...accessLogPageEntries })

/**
 * The filter of a validated query. `until` at or before `since` selects
 * nothing, which is never what was meant: a 400 naming `until`.
 */
export function auditFilterOf(q: AuditFilter): AuditFilter {
  if (q.since !== undefined && q.until !== undefined && q.until <= q.since) {
    throw new HttpError('validation_error', 'until must be later than since', { field: 'until' })
  }
  return { secret: q.secret, accessor: q.accessor, action: q.action, outcome: q.outcome, since: q.since, until: q.until }
}
