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
}

/** Audit actions. `read` is a decryption whose plaintext left the service. */
/**
 * Audit actions. `read` is a decryption whose plaintext left the service (or,
 * with outcome `denied`, a client's request for a secret its grants do not
 * cover); `authenticate` is a client token refused (secret_name empty).
 */
export type AuditAction = 'create' | 'replace' | 'read' | 'rotate' | 'delete' | 'authenticate' | SecurityAction

/**
 * Security events (src/audit/security-audit.ts, docs/audit.md), rows with an
 * empty secret_name: a login (`ok`, or `denied` for a wrong username or
 * password), a logout, a lockout (a username or address locked by failed
 * logins), operator and client changes, a token issued or revoked. A
 * token's use is the delivery's own `read` row, which carries its token_id.
 */
export type SecurityAction =
  | 'login'
  | 'logout'
  | 'lockout'
  | 'operator_add'
  | 'operator_passwd'
  | 'operator_remove'
  | 'client_add'
  | 'client_update'
  | 'client_remove'
  | 'token_issue'
  | 'token_revoke'

/** Whether the audited operation succeeded. */
export type AuditOutcome = 'ok' | 'error' | 'denied'

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
  secret_access_log: SecretAccessLogTable
  audit_chain_head: AuditChainHeadTable
  audit_chain_key: AuditChainKeyTable
}

export type SecretRow = Selectable<SecretTable>
export type NewSecretRow = Insertable<SecretTable>
export type SecretUpdate = Updateable<SecretTable>
export type AccessLogRow = Selectable<SecretAccessLogTable>
export type NewAccessLogRow = Insertable<SecretAccessLogTable>
export type ChainKeyRow = Selectable<AuditChainKeyTable>
