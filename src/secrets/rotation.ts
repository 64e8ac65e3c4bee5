/**
 * Rotation: re-encrypting secrets under the current master key (fresh IV),
 * one by one or in resumable batches, and what the key ids in use are.
 */
import type { AuditEntry } from '../audit/audit-log.ts'
import { bindVersion, ciphertextSha256, decryptValue, encryptValue } from '../crypto/aes-gcm.ts'
import { unknownKeyIdsError } from '../crypto/keyring.ts'
import { RowNotAuditedError, SecretChangedError, SecretNotFoundError } from '../errors.ts'
import type { SecretRow } from '../store/schema.ts'
import { countVersionsByKeyId, findStaleVersions, lockVersion, sameSeal, updateVersionIfUnchanged } from '../store/secret-version.repository.ts'
import {
  countByKeyId,
  countFormat1UnderKey,
  distinctKeyIds,
  findSecret,
  findSecretMetadata,
  findStaleSecrets,
  lockSecret,
} from '../store/secret.repository.ts'
import { writeTransaction } from '../store/transaction.ts'
import { auditEntry, checkActor } from './audit-entry.ts'
import { assertCurrentAudited, assertKeptAudited } from './audited-row.ts'
import { writeNewVersion } from './new-version.ts'
import { writeAudit } from './reads.ts'
import { type Actor, type SecretMetadata, type ServiceDeps, toMetadata } from './types.ts'
import { SecretNameSchema, validateField } from './validation.ts'

/** Rows a key id seals, whether it is the current key and whether it is configured. */
export interface KeyUsage {
  key_id: string
  /** Secrets whose current value it seals. */
  rows: number
  /** Kept previous versions it seals. */
  versions: number
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
  const rows = new Map((await countByKeyId(deps.db)).map((k) => [k.key_id, k.rows]))
  const versions = new Map((await countVersionsByKeyId(deps.db)).map((k) => [k.key_id, k.rows]))
  return [...new Set([...rows.keys(), ...versions.keys()])].sort().map((key_id) => ({
    key_id,
    rows: rows.get(key_id) ?? 0,
    versions: versions.get(key_id) ?? 0,
    current: key_id === deps.keyring.current.id,
    configured: deps.keyring.has(key_id),
  }))
}

/** How many secrets `rotate --all` has left to move: under a previous key, or under the format-1 additional data. */
export async function countStale(deps: ServiceDeps): Promise<number> {
  const previous = (await countByKeyId(deps.db)).filter((k) => k.key_id !== deps.keyring.current.id).reduce((n, k) => n + k.rows, 0)
  return previous + (await countFormat1UnderKey(deps.db, deps.keyring.current.id))
}

/**
 * Re-encrypts a secret under the current master key (fresh IV) and bumps
 * `rotated_at`. The decryption this needs is audited by the `rotate` row; a
 * failed decryption leaves a `rotate` row with outcome `error`.
 *
 * The value is read and re-sealed before the write transaction, which stays
 * short; the transaction locks the row and, when another writer (a replace,
 * another rotation) changed it since, re-seals the value it finds there,
 * under the lock. So the other writer's value always stands, and concurrent
 * rotations and replaces take turns instead of refusing each other. A row
 * its last audited mutation did not write is refused (audited as a failed
 * rotation).
 * @throws ValidationError; SecretNotFoundError; DecryptError / UnknownKeyError; RowNotAuditedError.
 */
export async function rotateSecret(deps: ServiceDeps, name: string, actor: Actor): Promise<SecretMetadata> {
  validateField('name', SecretNameSchema, name)
  const who = checkActor(actor)
  const read = await findSecret(deps.db, name)
  if (!read) throw new SecretNotFoundError(name)
  let audited = false
  try {
    const early = await reseal(deps, read, name)
    const meta = await writeTransaction(deps.db, async (trx) => {
      const row = await lockSecret(trx, name)
      if (!row) throw new SecretNotFoundError(name)
      // Changed since it was read: the value there now is the one to rotate.
      const changed = !sameSeal(row, read)
      await assertCurrentAudited(trx, row)
      const sealed = changed ? await reseal(deps, row, name) : early
      const at = deps.now().toISOString()
      const entries = await writeNewVersion(deps, trx, { current: row, sealed, update: { rotated_at: at }, action: 'rotate', who, at })
      // The row is locked: a guarded write that changed nothing is a fault, not a race.
      if (!entries) throw new SecretChangedError(name)
      await deps.auditLog.append(trx, entries)
      return findSecretMetadata(trx, name)
    })
    audited = true
    return toMetadata(meta!, deps.keyring.current.id)
  } catch (e) {
    // A refused row, a failed decryption, a secret deleted meanwhile: the value may have been
    // decrypted and what the transaction wrote is rolled back, so a failed rotation is audited after it.
    if (!audited && !(e instanceof SecretChangedError)) {
      try {
        await writeAudit(deps, [auditEntry(name, 'rotate', who, 'error', deps.now().toISOString())])
      } catch {
        // The store refused this row too (busy, full): the first error is the one to report.
      }
    }
    throw e
  }
}

/** The row's value sealed anew under the current key, for its next version. */
async function reseal(deps: ServiceDeps, row: SecretRow, name: string) {
  const plain = await decryptValue(deps.keyring, row, name)
  try {
    return await encryptValue(deps.keyring, plain, name, bindVersion(row.version + 1))
  } finally {
    plain.fill(0)
  }
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
      sealed.push({ row, value: await encryptValue(deps.keyring, plain, row.name, bindVersion(row.version + 1)) })
      plain.fill(0)
    } catch (e) {
      failed.push({ name: row.name, code: (e as { code?: string }).code ?? 'error' })
      audit.push(auditEntry(row.name, 'rotate', who, 'error', at))
    }
  }
  const rotated: string[] = []
  const changed: string[] = []
  await writeTransaction(deps.db, async (trx) => {
    for (const { row, value } of sealed) {
      // Locked (secret rows first, the audit head last), then compared with what was read.
      const locked = await lockSecret(trx, row.name)
      if (!locked || !sameSeal(locked, row)) {
        changed.push(row.name)
        continue
      }
      try {
        await assertCurrentAudited(trx, row)
      } catch (e) {
        if (!(e instanceof RowNotAuditedError)) throw e
        failed.push({ name: row.name, code: e.code })
        audit.push(auditEntry(row.name, 'rotate', who, 'error', at))
        continue
      }
      const entries = await writeNewVersion(deps, trx, { current: row, sealed: value, update: { rotated_at: at }, action: 'rotate', who, at })
      if (entries) {
        rotated.push(row.name)
        audit.push(...entries)
      } else {
        changed.push(row.name)
      }
    }
    // The audit chain's keys move to the current master key with the secrets (AuditLog.rekey),
    // so after a finished `rotate --all` the current key alone verifies the whole chain. After
    // the secret rows, like every writer: the rows first, the audit head last, or PostgreSQL
    // deadlocks a rotation with a concurrent replace (test/secrets/rotation.test.ts).
    await deps.auditLog.rekey(trx)
    await deps.auditLog.append(trx, audit)
  })
  return { rotated, failed, changed, last: rows.at(-1)?.name }
}

/** What one batch of re-sealing kept versions did (`rotate --all`, after the secrets). */
export interface ResealBatchResult {
  /** The versions re-sealed, as `NAME@VERSION`. */
  resealed: string[]
  failed: Array<{ name: string; version: number; code: string }>
  /** The last version looked at: the next batch's `after`. */
  last: { name: string; version: number } | undefined
}

/**
 * Re-encrypts the next batch of kept versions that are under a previous key
 * or the format-1 additional data, in place (same version number, now bound
 * into the additional data), in (name, version) order after `after`, in one
 * transaction with their audit rows (action `reseal`, the version and the
 * new ciphertext's hash). A version pruned or deleted between the read and
 * the write is skipped: each write is guarded on what it read. Takes no
 * secret row: kept versions are only written under them by the other
 * writers, which never wait for this one while holding the audit head.
 * @throws ValidationError for a bad actor.
 */
export async function resealBatch(
  deps: ServiceDeps,
  after: { name: string; version: number } | undefined,
  limit: number,
  actor: Actor,
): Promise<ResealBatchResult> {
  const who = checkActor(actor)
  const rows = await findStaleVersions(deps.db, deps.keyring.current.id, after, limit)
  const at = deps.now().toISOString()
  const failed: ResealBatchResult['failed'] = []
  const audit: AuditEntry[] = []
  const sealed: Array<{ row: (typeof rows)[number]; value: Awaited<ReturnType<typeof encryptValue>>; sha256: string }> = []
  for (const row of rows) {
    try {
      const plain = await decryptValue(deps.keyring, row, row.name)
      const value = await encryptValue(deps.keyring, plain, row.name, bindVersion(row.version))
      plain.fill(0)
      sealed.push({ row, value, sha256: await ciphertextSha256(value.ciphertext) })
    } catch (e) {
      failed.push({ name: row.name, version: row.version, code: (e as { code?: string }).code ?? 'error' })
      audit.push(auditEntry(row.name, 'reseal', who, 'error', at, { version: row.version }))
    }
  }
  const resealed: string[] = []
  await writeTransaction(deps.db, async (trx) => {
    for (const { row, value, sha256 } of sealed) {
      // Locked, then compared with what was read: one pruned or deleted meanwhile is skipped.
      const locked = await lockVersion(trx, row.name, row.version)
      if (!locked || !sameSeal(locked, row)) continue
      try {
        await assertKeptAudited(trx, row)
      } catch (e) {
        if (!(e instanceof RowNotAuditedError)) throw e
        failed.push({ name: row.name, version: row.version, code: e.code })
        audit.push(auditEntry(row.name, 'reseal', who, 'error', at, { version: row.version }))
        continue
      }
      if ((await updateVersionIfUnchanged(trx, row, { ...value, aad_format: 2 })) === 1) {
        resealed.push(`${row.name}@${row.version}`)
        audit.push(auditEntry(row.name, 'reseal', who, 'ok', at, { version: row.version, sha256 }))
      }
    }
    await deps.auditLog.append(trx, audit)
  })
  const last = rows.at(-1)
  return { resealed, failed, last: last && { name: last.name, version: last.version } }
}
