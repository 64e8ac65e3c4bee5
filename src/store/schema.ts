import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

/**
 * Row types of the database, separate from the domain types the service
 * returns. Times are ISO 8601 UTC strings (portable across SQLite and
 * PostgreSQL, and they sort as text). Byte columns are BLOB / bytea.
 */
export interface SecretTable {
  name: string
  description: string
  ciphertext: Uint8Array<ArrayBuffer>
  iv: Uint8Array<ArrayBuffer>
  auth_tag: Uint8Array<ArrayBuffer>
  key_id: string
  created_at: string
  updated_at: string
  rotated_at: string
  /** The current version: 1 at create, one more for each replace, rotate and rollback (0010). */
  version: Generated<number>
  /** The additional data the value is sealed with: 1 `claude-hooks-secret:v1:NAME`, 2 `…:v2:NAME:VERSION` (0010). */
  aad_format: Generated<number>
}

/** A previous value of a secret, kept sealed (0010); the newest SECRET_VERSIONS_KEPT of them. */
export interface SecretVersionTable {
  name: string
  version: number
  ciphertext: Uint8Array<ArrayBuffer>
  iv: Uint8Array<ArrayBuffer>
  auth_tag: Uint8Array<ArrayBuffer>
  key_id: string
  aad_format: number
  /** When this version was written (the `rotated_at` it had while current). */
  created_at: string
}

// The audit actions and outcomes: one list, shared with the HTTP filters and the UI.
import type { AuditAction, AuditOutcome } from '../audit/actions.ts'
export type { AuditAction, AuditOutcome, SecretVersionAction, SecurityAction } from '../audit/actions.ts'

export interface SecretAccessLogTable {
  // PostgreSQL returns bigint columns as strings: the repository normalises.
  id: Generated<number>
  secret_name: string
  action: AuditAction
  /** The identity the service established: `cli:<login name>`, `operator:<username>`. */
  accessor: string
  /** The free-text label the caller declared (`render --accessor`), or null. Never an identity. */
  label: string | null
  /** The public id of the client token that asked (migration 0009), or null. Never the token. */
  token_id: string | null
  /** The network address of the client that asked (migration 0009), or null. */
  client_address: string | null
  reason: string
  outcome: AuditOutcome
  /** The secret version the mutation wrote, removed or described (0010), or null. */
  version: number | null
  /** Hex SHA-256 of the ciphertext the mutation wrote (0010), or null (reads, deletes, prunes, descriptions). */
  ciphertext_sha256: string | null
  at: string
  /** Hex HMAC-SHA256 link of the audit chain (null only before start-up chains pre-0003 rows). */
  chain: string | null
  /** The master key id whose derived key made `chain`. */
  chain_key_id: string | null
}

/** The newest link of the audit chain (one row, id 1). Appends lock it first. */
export interface AuditChainHeadTable {
  id: number
  last_id: number
  chain: string
  /** Rows in the chain (0006). */
  row_count: number
  /** JSON of the current chain key's `audit_chain_key` row (null until the head is first sealed). */
  chain_key: string | null
  /** Hex HMAC of (last_id, chain, row_count, chain key id) under the current chain key. */
  mac: string | null
  /** 1 once the secrets found at the upgrade to 0010 have their `baseline` audit rows. */
  versions_baseline: Generated<number>
}

/** A key the audit chain was extended under (0006); see migrations/0006_audit_chain_key.ts. */
export interface AuditChainKeyTable {
  id: string
  /** The order keys were used in: a row may never use a key older than the row before it. */
  seq: number
  kind: 'random' | 'derived'
  /** The master key id that seals it (null: a derived key not sealed yet). */
  sealed_by: string | null
  /** base64(iv || ciphertext || tag) of the raw key bytes. */
  sealed: string | null
  created_at: string
}

export interface Database {
  secret: SecretTable
  secret_version: SecretVersionTable
  secret_access_log: SecretAccessLogTable
  audit_chain_head: AuditChainHeadTable
  audit_chain_key: AuditChainKeyTable
}

export type SecretRow = Selectable<SecretTable>
export type NewSecretRow = Insertable<SecretTable>
export type SecretUpdate = Updateable<SecretTable>
export type AccessLogRow = Selectable<SecretAccessLogTable>
export type NewAccessLogRow = Insertable<SecretAccessLogTable>
export type SecretVersionRow = Selectable<SecretVersionTable>
export type ChainKeyRow = Selectable<AuditChainKeyTable>
