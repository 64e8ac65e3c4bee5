import type { AccessLogEntry, LastRead, SecretMetadata } from '../secrets/service.ts'

/**
 * The JSON of a secret, field by field: whatever the service's type gains
 * later (a sealed value, an IV), only these fields ever leave over HTTP.
 */
export function secretJson(s: SecretMetadata): SecretMetadata {
  return {
    name: s.name,
    description: s.description,
    created_at: s.created_at,
    updated_at: s.updated_at,
    rotated_at: s.rotated_at,
    key_id: s.key_id,
    key_current: s.key_current,
    version: s.version,
  }
}

/** The JSON of one access-log entry, field by field (see {@link secretJson}). */
export function accessLogEntryJson(e: AccessLogEntry): AccessLogEntry {
  return {
    id: e.id,
    at: e.at,
    action: e.action,
    accessor: e.accessor,
    label: e.label,
    token_id: e.token_id,
    client_address: e.client_address,
    reason: e.reason,
    outcome: e.outcome,
    version: e.version,
  }
}

/** The `last_read` of a list entry: `{at, accessor}` of the newest successful read, or null. */
export function lastReadJson(r: LastRead | undefined): LastRead | null {
  return r ? { at: r.at, accessor: r.accessor } : null
}
