/**
 * Rotation: re-encrypting secrets under the current master key (fresh IV),
 * one by one or in resumable batches, and what the key ids in use are.
 */
import type { AuditEntry } from '../audit/audit-log.ts'
import { decryptValue, encryptValue } from '../crypto/aes-gcm.ts'
import { unknownKeyIdsError } from '../crypto/keyring.ts'
import { SecretNotFoundError } from '../errors.ts'
import type { SecretRow } from '../store/schema.ts'
import {
  countByKeyId,
  distinctKeyIds,
  findSecret,
  findSecretMetadata,
  findStaleSecrets,
  updateSecretIfKey,
} from '../store/secret.repository.ts'
import { writeTransaction } from '../store/transaction.ts'
import { auditEntry, checkActor } from './audit-entry.ts'
import { writeAudit } from './reads.ts'
import { type Actor, type SecretMetadata, type ServiceDeps, toMetadata } from './types.ts'
import { SecretNameSchema, validateField } from './validation.ts'

/** Rows a key id seals, whether it is the current key and whether it is configured. */
export interface KeyUsage {
  key_id: string
  rows: number
  current: boolean
  configured: boolean
}

/** What one batch of `rotate --all` did. */
export interface RotateBatchResult {
  /** The names re-encrypted. */
  rotated: string[]
  /** Those that failed, with the error code (never a value). */
  failed: Array<{ name: string; code: string }>
  /** The last name looked at: the next batch's `after`. */
  last: string | undefined
}

/**
 * Refuses to run over rows this keyring cannot open.
 * @throws ConfigError naming each unknown key id and how many rows it seals.
 */
export async function assertKeysKnown(deps: ServiceDeps): Promise<void> {
  const unknown = (await distinctKeyIds(deps.db)).filter((id) => !deps.keyring.has(id))
  // Rows are counted only on the way to the error message.
  if (unknown.length > 0) throw unknownKeyIdsError(await countByKeyId(deps.db, unknown))
}

/** Rows per key id, and whether each key id is the current one. */
export async function keyUsage(deps: ServiceDeps): Promise<KeyUsage[]> {
  return (await countByKeyId(deps.db)).map((k) => ({
    ...k,
    current: k.key_id === deps.keyring.current.id,
    configured: deps.keyring.has(k.key_id),
  }))
}

/**
 * Re-encrypts a secret under the current master key (fresh IV) and bumps
 * `rotated_at`. The decryption this needs is audited by the `rotate` row; a
 * failed decryption leaves a `rotate` row with outcome `error`.
 * @throws ValidationError; SecretNotFoundError; DecryptError / UnknownKeyError.
 */
export async function rotateSecret(deps: ServiceDeps, name: string, actor: Actor): Promise<SecretMetadata> {
  validateField('name', SecretNameSchema, name)
  const who = checkActor(actor)
  const row = await findSecret(deps.db, name)
  if (!row) throw new SecretNotFoundError(name)
  let plain: Uint8Array<ArrayBuffer>
  try {
    plain = await decryptValue(deps.keyring, row, name)
  } catch (e) {
    await writeAudit(deps, [auditEntry(name, 'rotate', who, 'error', deps.now().toISOString())])
    throw e
  }
  const sealed = await encryptValue(deps.keyring, plain, name)
  plain.fill(0)
  const at = deps.now().toISOString()
  const meta = await writeTransaction(deps.db, async (trx) => {
    // Only if nobody replaced or rotated it meanwhile: their value wins.
    if ((await updateSecretIfKey(trx, name, row.key_id, { ...sealed, rotated_at: at })) === 0) {
      if (!(await findSecretMetadata(trx, name))) throw new SecretNotFoundError(name)
    }
    await deps.auditLog.append(trx, [auditEntry(name, 'rotate', who, 'ok', at)])
    return findSecretMetadata(trx, name)
  })
  return toMetadata(meta!, deps.keyring.current.id)
}

/**
 * Re-encrypts the next batch of secrets not under the current key, in name
 * order after `after`, in one transaction with their audit rows (action
 * `rotate`). Idempotent and resumable: a batch commits whole or not at all,
 * every row stays decryptable throughout, and a rerun picks up what is left.
 * A row changed meanwhile (replaced, rotated by someone else) is left as the
 * other writer made it.
 * @throws ValidationError for a bad actor.
 */
export async function rotateBatch(deps: ServiceDeps, after: string, limit: number, actor: Actor): Promise<RotateBatchResult> {
  const who = checkActor(actor)
  const rows = await findStaleSecrets(deps.db, deps.keyring.current.id, after, limit)
  const at = deps.now().toISOString()
  const sealed: Array<{ row: SecretRow; value: Awaited<ReturnType<typeof encryptValue>> }> = []
  const failed: Array<{ name: string; code: string }> = []
  const audit: AuditEntry[] = []
  for (const row of rows) {
    try {
      const plain = await decryptValue(deps.keyring, row, row.name)
      sealed.push({ row, value: await encryptValue(deps.keyring, plain, row.name) })
      plain.fill(0)
    } catch (e) {
      failed.push({ name: row.name, code: (e as { code?: string }).code ?? 'error' })
      audit.push(auditEntry(row.name, 'rotate', who, 'error', at))
    }
  }
  const rotated: string[] = []
  await writeTransaction(deps.db, async (trx) => {
    for (const { row, value } of sealed) {
      if ((await updateSecretIfKey(trx, row.name, row.key_id, { ...value, rotated_at: at })) === 1) {
        rotated.push(row.name)
        audit.push(auditEntry(row.name, 'rotate', who, 'ok', at))
      }
    }
    await deps.auditLog.append(trx, audit)
  })
  return { rotated, failed, last: rows.at(-1)?.name }
}
