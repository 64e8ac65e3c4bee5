import type { AuditAction } from '../../src/audit/actions.ts'

/**
 * Shapes of the JSON bodies the server answers with (docs/http-api.md).
 * Kept apart from the client so models and components can import the types
 * without pulling in fetch code.
 */

/** `GET /session` and `POST /session` answer. */
export interface Session {
  username: string
  csrf_token: string
  /** When the session ends unless used again (idle expiry as of this answer, capped by the absolute one). */
  expires_at?: string
  /** When it ends whatever happens. */
  absolute_expires_at?: string
  /** How far each authenticated request moves the idle expiry on. */
  idle_timeout_seconds?: number
}

/** The newest successful read of a secret. */
export interface LastRead {
  at: string
  accessor: string
}

/** Metadata of one secret. There is deliberately no value field: the API never returns one. */
export interface Secret {
  name: string
  description: string | null
  created_at: string
  updated_at: string
  rotated_at: string
  key_id: string
  /** false while the row is still encrypted under a previous master key */
  key_current: boolean
  /**
   * The current version (1, 2, …; DESIGN.md "Versions and check-and-set"):
   * sent back as `If-Match: "N"` so a change made meanwhile by someone else
   * is refused (412 `version_mismatch`) rather than overwritten.
   */
  version: number
  /** Only in the list: the newest successful read, null when never read (absent from other answers). */
  last_read?: LastRead | null
}

/**
 * `GET /secrets/{name}/versions` (newest first, the current one included)
 * and one entry of it: metadata only, never a value. The server's own types,
 * imported as types only, so the two cannot disagree about a field.
 */
export type { SecretVersionInfo as SecretVersion, SecretVersions as VersionList } from '../../src/secrets/types.ts'

/** `GET /secrets` answer. */
export interface SecretList {
  secrets: Secret[]
  current_key_id: string
}

/** What happened to a secret, as written to the audit log. */
/** Every action an audit row may hold: the server's own list (src/audit/actions.ts). */
export type AccessAction = AuditAction

/** One audit row of `GET /secrets/{name}/access-log`. */
export interface AccessLogEntry {
  id: number
  at: string
  action: AccessAction
  /** Who, as the server established it: `cli:alice`, `operator:bob`. */
  accessor: string
  /** What the caller declared itself to be (`render --accessor ci`); never an identity. Absent or null: none. */
  label?: string | null
  /** The public id of the client token that asked (docs/clients.md); null or absent: not a client. */
  token_id?: string | null
  /** The network address of the client that asked; null or absent: not a client. */
  client_address?: string | null
  reason: string | null
  /** `denied`: a client asked for a secret its grants do not cover. */
  outcome: 'ok' | 'error' | 'denied'
}

/** One page of the access log, newest first; `next_cursor` is null on the last page. */
export interface AccessLogPage {
  entries: AccessLogEntry[]
  next_cursor: string | null
}

/** Body of `POST /secrets`. `description` is left out entirely when none was typed. */
export interface CreateSecretInput {
  name: string
  value: string
  description?: string
}

/** Body of `PUT /secrets/{name}`. Omitting `description` keeps the stored one. */
export interface ReplaceSecretInput {
  value: string
  description?: string
}

/** One row of `GET /audit`: an access-log entry and the secret it is about (null: none, a refused token). */
export interface AuditEntry extends AccessLogEntry {
  secret: string | null
}

/** One page of `GET /audit`, newest first; `next_cursor` is null on the last page. */
export interface AuditPage {
  entries: AuditEntry[]
  next_cursor: string | null
}

/** The filters of `GET /audit` and `GET /audit/export` (docs/http-api.md "Activity"); unset: any. */
export interface AuditFilters {
  secret?: string
  accessor?: string
  action?: string
  outcome?: string
  /** ISO 8601 UTC, inclusive */
  since?: string
  /** ISO 8601 UTC, exclusive */
  until?: string
}

/** One token of a client as lists show it: never the token itself. */
export interface ClientToken {
  id: string
  created_at: string
  expires_at: string
  last_used_at: string | null
  revoked_at: string | null
}

/** A machine client (docs/clients.md). */
export interface Client {
  name: string
  description: string
  grants: string[]
  created_at: string
  updated_at: string
  tokens: ClientToken[]
}

/** Body of `POST /clients`. */
export interface CreateClientInput {
  name: string
  grants: string[]
  description?: string
}

/** The 201 of `POST /clients/{name}/tokens`: the only answer that ever holds a token. */
export interface IssuedToken extends ClientToken {
  token: string
}
