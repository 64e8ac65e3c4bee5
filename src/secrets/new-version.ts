/**
 * The one way a secret gets a new version (create aside): inside the
 * writer's transaction, which holds the secret row, the row it has now is
 * kept as a previous version, the new sealed value written as version + 1,
 * and the kept versions past SECRET_VERSIONS_KEPT pruned. Returns the audit
 * entries (the mutation's own row first, then one `prune` row per version
 * removed) for the caller to append: the secret rows first, the audit head
 * last, like every writer.
 */
import type { Kysely } from 'kysely'
import type { AuditEntry } from '../audit/audit-log.ts'
import { ciphertextSha256, type EncryptedValue } from '../crypto/aes-gcm.ts'
import type { AuditAction, Database, SecretRow, SecretUpdate } from '../store/schema.ts'
import { keepVersion, pruneVersions } from '../store/secret-version.repository.ts'
import { updateSecretIfUnchanged } from '../store/secret.repository.ts'
import { auditEntry } from './audit-entry.ts'
import type { Actor, ServiceDeps } from './types.ts'

/** A new version to write over `current`: sealed for `current.version + 1` (bindVersion). */
export interface NewVersion {
  current: SecretRow
  sealed: EncryptedValue
  /** Columns besides the sealed value (times, description). */
  update: SecretUpdate
  action: Extract<AuditAction, 'replace' | 'rotate' | 'rollback'>
  who: Actor
  at: string
}

/**
 * Writes the new version, guarded on `current` still being the row (same
 * version and seal): returns undefined when another writer changed it in
 * between (nothing written), else the audit entries.
 */
export async function writeNewVersion(deps: ServiceDeps, trx: Kysely<Database>, v: NewVersion): Promise<AuditEntry[] | undefined> {
  const version = v.current.version + 1
  const changed = await updateSecretIfUnchanged(trx, v.current.name, v.current, { ...v.update, ...v.sealed, version, aad_format: 2 })
  if (changed === 0) return undefined
  await keepVersion(trx, v.current)
  const pruned = await pruneVersions(trx, v.current.name, deps.versionsKept)
  const sha256 = await ciphertextSha256(v.sealed.ciphertext)
  return [
    auditEntry(v.current.name, v.action, v.who, 'ok', v.at, { version, sha256 }),
    ...pruned.map((p) => auditEntry(v.current.name, 'prune', v.who, 'ok', v.at, { version: p })),
  ]
}
