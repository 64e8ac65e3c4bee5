/**
 * The versions of a secret: the list (metadata only) and rollback, which
 * writes an old value as a new version.
 */
import { bindVersion, decryptValue, encryptValue } from '../crypto/aes-gcm.ts'
import { RowNotAuditedError, SecretChangedError, SecretNotFoundError, UnknownVersionError } from '../errors.ts'
import { listVersionMetadata, lockVersion } from '../store/secret-version.repository.ts'
import { findSecretMetadata } from '../store/secret.repository.ts'
import { writeTransaction } from '../store/transaction.ts'
import { auditEntry, checkActor } from './audit-entry.ts'
import { assertCurrentAudited, assertKeptAudited } from './audited-row.ts'
import { checkIfVersion, lockCurrent } from './check-and-set.ts'
import { writeNewVersion } from './new-version.ts'
import { writeAudit } from './reads.ts'
import { type Actor, type IfVersion, type SecretMetadata, type SecretVersions, type ServiceDeps, toMetadata } from './types.ts'
import { SecretNameSchema, validateField, VersionSchema } from './validation.ts'

/**
 * The versions of a secret, newest first: the current one and the kept
 * previous ones. Metadata only; decrypts and audits nothing.
 * @throws ValidationError; SecretNotFoundError.
 */
export async function listVersions(deps: ServiceDeps, name: string): Promise<SecretVersions> {
  validateField('name', SecretNameSchema, name)
  const current = await findSecretMetadata(deps.db, name)
  if (!current) throw new SecretNotFoundError(name)
  const kept = await listVersionMetadata(deps.db, name)
  const currentKey = deps.keyring.current.id
  const version = Number(current.version)
  return {
    name,
    current_version: version,
    versions: [
      { version, created_at: current.rotated_at, key_id: current.key_id, key_current: current.key_id === currentKey, current: true },
      ...kept
        .filter((k) => k.version < version)
        .map((k) => ({ version: k.version, created_at: k.created_at, key_id: k.key_id, key_current: k.key_id === currentKey, current: false })),
    ],
  }
}

/**
 * Writes the value of kept version `version` as a new version (the current
 * value kept in turn), audited `rollback` with the new version and its
 * ciphertext's hash. The old value is decrypted inside the transaction,
 * which holds the secret row, so nothing can change between the read and
 * the write; it never leaves the service. A failed decryption rolls back
 * and leaves a `rollback` row with outcome `error`, as does a kept version
 * its audit rows do not account for (RowNotAuditedError: re-sealing it would
 * make the log vouch for it).
 * @throws ValidationError; SecretNotFoundError; UnknownVersionError (not kept,
 *   or the current one); VersionMismatchError; DecryptError / UnknownKeyError; RowNotAuditedError.
 */
export async function rollbackSecret(
  deps: ServiceDeps,
  name: string,
  version: number,
  actor: Actor,
  cas?: IfVersion,
): Promise<SecretMetadata> {
  validateField('name', SecretNameSchema, name)
  const target = validateField('version', VersionSchema, version)
  const ifVersion = checkIfVersion(cas)
  const who = checkActor(actor)
  const at = deps.now().toISOString()
  let decryptFailed = false
  try {
    const row = await writeTransaction(deps.db, async (trx) => {
      const current = await lockCurrent(trx, name, ifVersion)
      if (target === current.version) throw new UnknownVersionError(name, target, 'it is the current version')
      await assertCurrentAudited(trx, current)
      const kept = await lockVersion(trx, name, target)
      if (!kept) {
        const list = (await listVersionMetadata(trx, name)).map((k) => k.version).reverse()
        throw new UnknownVersionError(name, target, list.length === 0 ? 'no previous version is kept' : `the kept versions are ${list.join(', ')}`)
      }
      let plain: Uint8Array<ArrayBuffer>
      try {
        await assertKeptAudited(trx, kept)
        plain = await decryptValue(deps.keyring, kept, name)
      } catch (e) {
        decryptFailed = true
        throw e
      }
      const sealed = await encryptValue(deps.keyring, plain, name, bindVersion(current.version + 1))
      plain.fill(0)
      const entries = await writeNewVersion(deps, trx, { current, sealed, update: { updated_at: at, rotated_at: at }, action: 'rollback', who, at })
      if (!entries) throw new SecretChangedError(name)
      await deps.auditLog.append(trx, entries)
      return findSecretMetadata(trx, name)
    })
    return toMetadata(row!, deps.keyring.current.id)
  } catch (e) {
    if (decryptFailed || e instanceof RowNotAuditedError) await writeAudit(deps, [auditEntry(name, 'rollback', who, 'error', at, { version: target })])
    throw e
  }
}
