/**
 * Create, replace, set, describe and delete: each mutation and its audit row
 * commit in one transaction (writeTransaction: BEGIN IMMEDIATE on SQLite, so
 * a concurrent writer makes it wait the busy timeout, never fail half-way).
 * Each locks the secret row first (lockSecret) and appends to the audit
 * chain last, so a check-and-set (`ifVersion`) compares with the row it
 * writes over, and two writers never wait on each other in opposite orders.
 */
import { bindVersion, ciphertextSha256, encryptValue } from '../crypto/aes-gcm.ts'
import { SecretChangedError, SecretExistsError, SecretNotFoundError, VersionMismatchError } from '../errors.ts'
import { isUniqueViolation } from '../store/driver-errors.ts'
import { deleteVersions } from '../store/secret-version.repository.ts'
import { deleteSecret, findSecretMetadata, insertSecret, updateSecret } from '../store/secret.repository.ts'
import { writeTransaction } from '../store/transaction.ts'
import { auditEntry, checkActor } from './audit-entry.ts'
import { assertCurrentAudited } from './audited-row.ts'
import { checkIfVersion, lockCurrent } from './check-and-set.ts'
import { writeNewVersion } from './new-version.ts'
import { type Actor, type IfVersion, type SecretMetadata, type ServiceDeps, toMetadata } from './types.ts'
import { DescriptionSchema, SecretNameSchema, SecretValueSchema, validateField } from './validation.ts'

const encoder = new TextEncoder()

/** The input of a create (and of `set`). */
export interface NewSecretInput {
  name: string
  value: string
  description?: string | undefined
}

/** The input of a replace: an omitted description is kept. */
export interface ReplaceInput {
  value: string
  description?: string | undefined
}

/**
 * Creates a secret, at version 1. With `ifVersion: 0` (the only version a
 * create accepts) an existing secret is a VersionMismatchError instead.
 * @throws ValidationError (nothing written); SecretExistsError; VersionMismatchError.
 */
export async function createSecret(deps: ServiceDeps, input: NewSecretInput, actor: Actor, cas?: IfVersion): Promise<SecretMetadata> {
  const name = validateField('name', SecretNameSchema, input?.name)
  const value = validateField('value', SecretValueSchema, input?.value)
  const description = validateField('description', DescriptionSchema, input?.description ?? '')
  const who = checkActor(actor)
  const ifVersion = checkIfVersion(cas)
  if (ifVersion !== undefined && ifVersion !== 0) {
    const existing = await findSecretMetadata(deps.db, name)
    throw existing ? new VersionMismatchError(name, Number(existing.version), ifVersion) : new SecretNotFoundError(name)
  }
  const sealed = await encryptValue(deps.keyring, encoder.encode(value), name, bindVersion(1))
  const sha256 = await ciphertextSha256(sealed.ciphertext)
  const at = deps.now().toISOString()
  const row = { name, description, ...sealed, version: 1, aad_format: 2, created_at: at, updated_at: at, rotated_at: at }
  try {
    await writeTransaction(deps.db, async (trx) => {
      await insertSecret(trx, row)
      await deps.auditLog.append(trx, [auditEntry(name, 'create', who, 'ok', at, { version: 1, sha256 })])
    })
  } catch (e) {
    if (!isUniqueViolation(e)) throw e
    if (ifVersion === 0) {
      const existing = await findSecretMetadata(deps.db, name)
      throw new VersionMismatchError(name, Number(existing?.version ?? 0), 0)
    }
    throw new SecretExistsError(name)
  }
  return toMetadata(row, deps.keyring.current.id)
}

/**
 * Replaces the value as a new version (fresh IV, current key, the previous
 * value kept) and bumps `updated_at` and `rotated_at`. An omitted
 * description is kept. With `ifVersion`, only when the secret is at that
 * version. A current row the audit log does not account for (an older
 * ciphertext put back) is refused: `secrets audit verify` names it, and a
 * delete clears it.
 * @throws ValidationError (nothing written); SecretNotFoundError; VersionMismatchError; RowNotAuditedError.
 */
export async function replaceSecret(
  deps: ServiceDeps,
  name: string,
  input: ReplaceInput,
  actor: Actor,
  cas?: IfVersion,
): Promise<SecretMetadata> {
  validateField('name', SecretNameSchema, name)
  const value = encoder.encode(validateField('value', SecretValueSchema, input?.value))
  const description =
    input?.description === undefined ? undefined : validateField('description', DescriptionSchema, input.description)
  const who = checkActor(actor)
  const ifVersion = checkIfVersion(cas)
  const at = deps.now().toISOString()
  try {
    const row = await writeTransaction(deps.db, async (trx) => {
      const current = await lockCurrent(trx, name, ifVersion)
      // The row becomes a kept version: it must be the one the log says (a replayed row is refused, never kept as genuine).
      await assertCurrentAudited(trx, current)
      const sealed = await encryptValue(deps.keyring, value, name, bindVersion(current.version + 1))
      const update = { updated_at: at, rotated_at: at, ...(description === undefined ? {} : { description }) }
      const entries = await writeNewVersion(deps, trx, { current, sealed, update, action: 'replace', who, at })
      // The row is locked: nobody can have changed it since lockCurrent.
      if (!entries) throw new SecretChangedError(name)
      await deps.auditLog.append(trx, entries)
      return findSecretMetadata(trx, name)
    })
    return toMetadata(row!, deps.keyring.current.id)
  } finally {
    value.fill(0)
  }
}

/**
 * Creates the secret, or replaces its value when it exists (`secrets set`).
 * With `ifVersion`: 0 creates only; N replaces only a secret at version N.
 * @returns whether it was created.
 */
export async function setSecret(
  deps: ServiceDeps,
  input: NewSecretInput,
  actor: Actor,
  cas?: IfVersion,
): Promise<{ created: boolean; secret: SecretMetadata }> {
  const ifVersion = checkIfVersion(cas)
  if (ifVersion === 0) return { created: true, secret: await createSecret(deps, input, actor, { ifVersion }) }
  if (ifVersion !== undefined) return { created: false, secret: await replaceSecret(deps, input?.name, input, actor, { ifVersion }) }
  try {
    return { created: true, secret: await createSecret(deps, input, actor) }
  } catch (e) {
    if (!(e instanceof SecretExistsError)) throw e
    return { created: false, secret: await replaceSecret(deps, input.name, input, actor) }
  }
}

/**
 * Changes the description alone: no new version, the value untouched;
 * bumps `updated_at`. Audited (`describe`, with the version described).
 * @throws ValidationError (nothing written); SecretNotFoundError; VersionMismatchError.
 */
export async function describeSecret(
  deps: ServiceDeps,
  name: string,
  description: string,
  actor: Actor,
  cas?: IfVersion,
): Promise<SecretMetadata> {
  validateField('name', SecretNameSchema, name)
  const text = validateField('description', DescriptionSchema, description)
  const who = checkActor(actor)
  const ifVersion = checkIfVersion(cas)
  const at = deps.now().toISOString()
  const row = await writeTransaction(deps.db, async (trx) => {
    const current = await lockCurrent(trx, name, ifVersion)
    await updateSecret(trx, name, { description: text, updated_at: at })
    // No hash: a description vouches for no ciphertext (the row's may not be the one last audited).
    await deps.auditLog.append(trx, [auditEntry(name, 'describe', who, 'ok', at, { version: current.version })])
    return findSecretMetadata(trx, name)
  })
  return toMetadata(row!, deps.keyring.current.id)
}

/**
 * Deletes a secret for good, its kept versions with it. Its audit history
 * stays. With `ifVersion`, only when the secret is at that version.
 * @throws ValidationError; SecretNotFoundError; VersionMismatchError.
 */
export async function removeSecret(deps: ServiceDeps, name: string, actor: Actor, cas?: IfVersion): Promise<void> {
  validateField('name', SecretNameSchema, name)
  const who = checkActor(actor)
  const ifVersion = checkIfVersion(cas)
  const at = deps.now().toISOString()
  await writeTransaction(deps.db, async (trx) => {
    const current = await lockCurrent(trx, name, ifVersion)
    await deleteSecret(trx, name)
    await deleteVersions(trx, name)
    await deps.auditLog.append(trx, [auditEntry(name, 'delete', who, 'ok', at, { version: current.version })])
  })
}
