import type { Kysely } from 'kysely'
import type { AuditBatcher } from '../audit/audit-batcher.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import type { Keyring } from '../crypto/keyring.ts'
import type { SecretMetadataRow } from '../store/secret.repository.ts'
import type { AccessLogRow, Database, SecretRow } from '../store/schema.ts'

/** Who acts and why: written to every audit row. */
export interface Actor {
  /** Who: `operator:alice`, `cli:root`, … (1..200 characters). */
  accessor: string
  /** Why: free text (1..200 characters). */
  reason: string
  /**
   * What the caller says it is, free text (1..200 characters), kept in its
   * own audit column apart from `accessor` (`render --accessor ci`).
   */
  label?: string | undefined
  /** The public id of the client token that asked (delivery routes), for the audit row. */
  tokenId?: string | undefined
  /** The network address of the client that asked, for the audit row. */
  clientAddress?: string | undefined
}

/** What the service tells about a secret: never its value. */
export interface SecretMetadata {
  name: string
  description: string
  created_at: string
  updated_at: string
  rotated_at: string
  key_id: string
  /** False while the row is sealed under a previous master key. */
  key_current: boolean
  /** The current version: 1 at create, one more for each replace, rotate and rollback. */
  version: number
}

/** One version of a secret as the versions list shows it: never its value. */
export interface SecretVersionInfo {
  version: number
  /** When this version was written. */
  created_at: string
  key_id: string
  key_current: boolean
  /** True for the version the secret has now (the others are kept previous values). */
  current: boolean
}

/** A secret's versions, newest first (the current one included). */
export interface SecretVersions {
  name: string
  current_version: number
  versions: SecretVersionInfo[]
}

/** A check-and-set condition: the version the caller read (0: the secret must not exist yet, for a create). */
export interface IfVersion {
  ifVersion?: number | undefined
}

/** One audit entry as the API shows it. */
export type AccessLogEntry = Pick<AccessLogRow, 'id' | 'at' | 'action' | 'accessor' | 'label' | 'token_id' | 'client_address' | 'reason' | 'outcome' | 'version'>

/** The sealed row `decrypt` takes: the on-disk format of one secret. */
export type SealedSecret = Pick<SecretRow, 'name' | 'ciphertext' | 'iv' | 'auth_tag' | 'key_id'> &
  Partial<Pick<SecretRow, 'version' | 'aad_format'>>

/** What the reads, mutations and rotation share: the store, the keys, the audit log (and its batcher), the clock. */
export interface ServiceDeps {
  readonly db: Kysely<Database>
  readonly keyring: Keyring
  readonly auditLog: AuditLog
  /** Group commit for the audit rows of reads, which stand in their own transaction. */
  readonly auditBatcher: AuditBatcher
  readonly now: () => Date
  /** How many previous versions of each secret are kept (SECRET_VERSIONS_KEPT, default 10). */
  readonly versionsKept: number
}

/** A metadata row as the service returns it. */
export function toMetadata(row: SecretMetadataRow, currentKeyId: string): SecretMetadata {
  return {
    name: row.name,
    description: row.description,
    created_at: row.created_at,
    updated_at: row.updated_at,
    rotated_at: row.rotated_at,
    key_id: row.key_id,
    key_current: row.key_id === currentKeyId,
    version: Number(row.version),
  }
}
