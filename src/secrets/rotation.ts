/**
 * Rotation: re-encrypting secrets under the current master key (fresh IV),
 * one by one or in resumable batches, and what the key ids in use are.
 */
import type { AuditEntry } from '../audit/audit-log.ts'
import { decryptValue, encryptValue } from '../crypto/aes-gcm.ts'
import { unknownKeyIdsError } from '../crypto/keyring.ts'
import { SecretChangedError, SecretNotFoundError } from '../errors.ts'
import type { SecretRow } from '../store/schema.ts'
import {
  countByKeyId,
  distinctKeyIds,
  findSecret,
  findSecretMetadata,
  findStaleSecrets,
  updateSecretIfUnchanged,
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
  /** Those another writer changed between this batch's read and its write: left as that writer made them. */
  changed: string[]
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

// How often `rotate` starts over when another writer changed the secret
// between its read and its write, before it gives up with SecretChangedError.
const ROTATE_ATTEMPTS = 5

/**
 * Re-encrypts a secret under the current master key (fresh IV) and bumps
 * `rotated_at`. The decryption this needs is audited by the `rotate` row; a
 * failed decryption leaves a `rotate` row with outcome `error`.
 *
 * The decryption runs outside the write transaction, so the write is guarded
 * on the sealed value it read: if a replace (or another rotation) changed it
 * meanwhile, nothing is written and the rotation starts over from the new
 * value; the other writer's value always stands.
 * @throws ValidationError; SecretNotFoundError; DecryptError / UnknownKeyError;
 *   SecretChangedError after ROTATE_ATTEMPTS lost races.
 */
export async function rotateSecret(deps: ServiceDeps, name: string, actor: Actor): Promise<SecretMetadata> {
  validateField('name', SecretNameSchema, name)
  const who = checkActor(actor)
  for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
    const meta = await rotateOnce(deps, name, who)
    if (meta) return toMetadata(meta, deps.keyring.current.id)
  }
  throw new SecretChangedError(name)
}

/** One read, re-seal and guarded write; undefined when another writer changed the row in between. */
async function rotateOnce(deps: ServiceDeps, name: string, who: Actor) {
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
  return writeTransaction(deps.db, async (trx) => {
    if ((await updateSecretIfUnchanged(trx, name, row, { ...sealed, rotated_at: at })) === 0) {
      if (!(await findSecretMetadata(trx, name))) throw new SecretNotFoundError(name)
      return undefined
    }
    await deps.auditLog.append(trx, [auditEntry(name, 'rotate', who, 'ok', at)])
    return findSecretMetadata(trx, name)
  })
}

/**
 * Re-encrypts the next batch of secrets not under the current key, in name
 * order after `after`, in one transaction with their audit rows (action
 * `rotate`). Idempotent and resumable: a batch commits whole or not at all,
 * every row stays decryptable throughout, and a rerun picks up what is left.
 * A row changed between the read and the write (replaced, rotated by someone
 * else) is left as the other writer made it and named in `changed`: each
 * write is guarded on the sealed value it read, so an old value never
 * overwrites a newer one.
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
  const changed: string[] = []
  await writeTransaction(deps.db, async (trx) => {
    // The audit chain's keys move to the current master key with the secrets (AuditLog.rekey),
    // so after a finished `rotate --all` the current key alone verifies the whole chain.
    await deps.auditLog.rekey(trx)
    for (const { row, value } of sealed) {
      if ((await updateSecretIfUnchanged(trx, row.name, row, { ...value, rotated_at: at })) === 1) {
        rotated.push(row.name)
        audit.push(auditEntry(row.name, 'rotate', who, 'ok', at))
      } else {
        changed.push(row.name)
      }
    }
    await deps.auditLog.append(trx, audit)
  })
  return { rotated, failed, changed, last: rows.at(-1)?.name }
}
