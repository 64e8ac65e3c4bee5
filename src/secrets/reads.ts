/**
 * Decryptions whose plaintext leaves the service. The one rule of this file:
 * the audit row is written before any plaintext leaves; if it cannot be
 * written, no plaintext leaves (the buffers are zeroed and the error thrown).
 */
import type { AuditEntry } from '../audit/audit-log.ts'
import { decryptValue } from '../crypto/aes-gcm.ts'
import { AuditWriteError, MissingSecretError } from '../errors.ts'
import { findSecrets } from '../store/secret.repository.ts'
import { auditEntry, checkActor } from './audit-entry.ts'
import type { Queryable } from '../store/raw-query.ts'
import type { Actor, SealedSecret, ServiceDeps } from './types.ts'

/**
 * What resolveAll needs: the service's deps, or a local render's without
 * Kysely (sqlite-reader.ts: a bare SQLite connection and its own batcher).
 */
export interface ReadDeps {
  readonly db: Queryable
  readonly keyring: ServiceDeps['keyring']
  readonly auditBatcher: Pick<ServiceDeps['auditBatcher'], 'append'>
  readonly now: () => Date
}

/**
 * Writes audit rows in their own transaction, shared with the rows of the
 * reads that arrive while an earlier batch commits (AuditBatcher: group
 * commit); resolves once that transaction committed.
 * @throws AuditWriteError (the cause attached) when they could not be written.
 */
export async function writeAudit(deps: Pick<ReadDeps, 'auditBatcher'>, rows: AuditEntry[]): Promise<void> {
  try {
    await deps.auditBatcher.append(rows)
  } catch (cause) {
    throw new AuditWriteError({ cause })
  }
}

/**
 * Decrypts one sealed row, returning the value's UTF-8 bytes. The audit row
 * (action `read`, outcome `ok` or `error`) is written first.
 * @throws ValidationError; AuditWriteError; DecryptError / UnknownKeyError (after auditing the failure).
 */
export async function decryptBytes(deps: ServiceDeps, row: SealedSecret, actor: Actor): Promise<Uint8Array<ArrayBuffer>> {
  const who = checkActor(actor)
  let plain: Uint8Array<ArrayBuffer> | undefined
  let failure: unknown
  try {
    plain = await decryptValue(deps.keyring, row, row.name)
  } catch (e) {
    failure = e
  }
  try {
    await writeAudit(deps, [auditEntry(row.name, 'read', who, failure ? 'error' : 'ok', deps.now().toISOString())])
  } catch (e) {
    plain?.fill(0)
    throw e
  }
  if (failure !== undefined || plain === undefined) throw failure
  return plain
}

/**
 * Decrypts the named secrets for one render: every name must exist (else
 * MissingSecretError lists all missing ones, before anything is decrypted),
 * each is decrypted once, and their audit rows are written in one
 * transaction before any value is returned.
 * @throws ValidationError; MissingSecretError; AuditWriteError; DecryptError / UnknownKeyError.
 */
export async function resolveAll(
  deps: ReadDeps,
  names: readonly string[],
  actor: Actor,
): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
  const who = checkActor(actor)
  const distinct = [...new Set(names)]
  const rows = new Map((await findSecrets(deps.db, distinct)).map((r) => [r.name, r]))
  const missing = distinct.filter((n) => !rows.has(n))
  if (missing.length > 0) throw new MissingSecretError(missing)

  const values = new Map<string, Uint8Array<ArrayBuffer>>()
  const audit: AuditEntry[] = []
  const at = deps.now().toISOString()
  let failure: unknown
  // Decrypted together (one wait, not one per name); audited in name order up
  // to the first failure, as a loop that stops there would, and every value
  // after it is zeroed with the others below.
  const opened = await Promise.allSettled(distinct.map((name) => decryptValue(deps.keyring, rows.get(name)!, name)))
  for (let i = 0; i < distinct.length; i++) {
    const name = distinct[i]!
    const result = opened[i]!
    if (failure === undefined && result.status === 'fulfilled') {
      values.set(name, result.value)
      audit.push(auditEntry(name, 'read', who, 'ok', at))
    } else if (failure === undefined && result.status === 'rejected') {
      audit.push(auditEntry(name, 'read', who, 'error', at))
      failure = result.reason
    } else if (result.status === 'fulfilled') {
      result.value.fill(0)
    }
  }
  try {
    await writeAudit(deps, audit)
  } catch (e) {
    for (const v of values.values()) v.fill(0)
    throw e
  }
  if (failure !== undefined) {
    for (const v of values.values()) v.fill(0)
    throw failure
  }
  return values
}
