/**
 * Create, replace, set and delete: each mutation and its audit row commit in
 * one transaction (writeTransaction: BEGIN IMMEDIATE on SQLite, so a
 * concurrent writer makes it wait the busy timeout, never fail half-way).
 */
import { encryptValue } from '../crypto/aes-gcm.ts'
import { SecretExistsError, SecretNotFoundError } from '../errors.ts'
import { isUniqueViolation } from '../store/driver-errors.ts'
import { deleteSecret, findSecretMetadata, insertSecret, updateSecret } from '../store/secret.repository.ts'
import { writeTransaction } from '../store/transaction.ts'
import { auditEntry, checkActor } from './audit-entry.ts'
import { type Actor, type SecretMetadata, type ServiceDeps, toMetadata } from './types.ts'
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
 * Creates a secret.
 * @throws ValidationError (nothing written); SecretExistsError.
 */
export async function createSecret(deps: ServiceDeps, input: NewSecretInput, actor: Actor): Promise<SecretMetadata> {
  const name = validateField('name', SecretNameSchema, input?.name)
  const value = validateField('value', SecretValueSchema, input?.value)
  const description = validateField('description', DescriptionSchema, input?.description ?? '')
  const who = checkActor(actor)
  const sealed = await encryptValue(deps.keyring, encoder.encode(value), name)
  const at = deps.now().toISOString()
  const row = { name, description, ...sealed, created_at: at, updated_at: at, rotated_at: at }
  try {
    await writeTransaction(deps.db, async (trx) => {
      await insertSecret(trx, row)
      await deps.auditLog.append(trx, [auditEntry(name, 'create', who, 'ok', at)])
    })
  } catch (e) {
    if (isUniqueViolation(e)) throw new SecretExistsError(name)
    throw e
  }
  return toMetadata(row, deps.keyring.current.id)
}

/**
 * Replaces the value (fresh IV, current key) and bumps `updated_at` and
 * `rotated_at`. An omitted description is kept.
 * @throws ValidationError (nothing written); SecretNotFoundError.
 */
export async function replaceSecret(deps: ServiceDeps, name: string, input: ReplaceInput, actor: Actor): Promise<SecretMetadata> {
  validateField('name', SecretNameSchema, name)
  const value = validateField('value', SecretValueSchema, input?.value)
  const description =
    input?.description === undefined ? undefined : validateField('description', DescriptionSchema, input.description)
  const who = checkActor(actor)
  const sealed = await encryptValue(deps.keyring, encoder.encode(value), name)
  const at = deps.now().toISOString()
  const update = { ...sealed, updated_at: at, rotated_at: at, ...(description === undefined ? {} : { description }) }
  const row = await writeTransaction(deps.db, async (trx) => {
    if ((await updateSecret(trx, name, update)) === 0) throw new SecretNotFoundError(name)
    await deps.auditLog.append(trx, [auditEntry(name, 'replace', who, 'ok', at)])
    return findSecretMetadata(trx, name)
  })
  return toMetadata(row!, deps.keyring.current.id)
}

/**
 * Creates the secret, or replaces its value when it exists (`secrets set`).
 * @returns whether it was created.
 */
export async function setSecret(
  deps: ServiceDeps,
  input: NewSecretInput,
  actor: Actor,
): Promise<{ created: boolean; secret: SecretMetadata }> {
  try {
    return { created: true, secret: await createSecret(deps, input, actor) }
  } catch (e) {
    if (!(e instanceof SecretExistsError)) throw e
    return { created: false, secret: await replaceSecret(deps, input.name, input, actor) }
  }
}

/**
 * Deletes a secret for good. Its audit history stays.
 * @throws ValidationError; SecretNotFoundError.
 */
export async function removeSecret(deps: ServiceDeps, name: string, actor: Actor): Promise<void> {
  validateField('name', SecretNameSchema, name)
  const who = checkActor(actor)
  const at = deps.now().toISOString()
  await writeTransaction(deps.db, async (trx) => {
    if ((await deleteSecret(trx, name)) === 0) throw new SecretNotFoundError(name)
    await deps.auditLog.append(trx, [auditEntry(name, 'delete', who, 'ok', at)])
  })
}
