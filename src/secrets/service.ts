import type { Kysely } from 'kysely'
import { decryptValue, encryptValue } from '../crypto/aes-gcm.ts'
import { type Keyring, unknownKeyIdsError } from '../crypto/keyring.ts'
import {
  AuditWriteError,
  MissingSecretError,
  SecretExistsError,
  SecretNotFoundError,
} from '../errors.ts'
import { AuditLog, type AuditEntry } from '../audit/audit-log.ts'
import { listAccessLog } from '../store/access-log.repository.ts'
import { writeTransaction } from '../store/transaction.ts'
import { isUniqueViolation } from '../store/driver-errors.ts'
import type { AccessLogRow, AuditAction, Database, SecretRow } from '../store/schema.ts'
import {
  countByKeyId,
  distinctKeyIds,
  deleteSecret,
  findSecret,
  findSecretMetadata,
  findSecrets,
  findStaleSecrets,
  existingNames,
  insertSecret,
  listSecretMetadata,
  type SecretMetadataRow,
  updateSecret,
  updateSecretIfKey,
} from '../store/secret.repository.ts'
import {
  AccessorSchema,
  DescriptionSchema,
  ReasonSchema,
  SecretNameSchema,
  SecretValueSchema,
  validateField,
} from './validation.ts'

/** Who acts and why: written to every audit row. */
export interface Actor {
  /** Who: `operator:alice`, `cli:root`, … (1..200 characters). */
  accessor: string
  /** Why: free text (1..200 characters). */
  reason: string
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
}

/** One audit entry as the API shows it. */
export type AccessLogEntry = Pick<AccessLogRow, 'id' | 'at' | 'action' | 'accessor' | 'reason' | 'outcome'>

/** The sealed row `decrypt` takes: the on-disk format of one secret. */
export type SealedSecret = Pick<SecretRow, 'name' | 'ciphertext' | 'iv' | 'auth_tag' | 'key_id'>

export interface SecretsServiceOptions {
  db: Kysely<Database>
  keyring: Keyring
  /** The clock, for tests. */
  now?: () => Date
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * The secrets service: every create, replace, delete, rotate and decryption
 * goes through here, and each leaves an audit row. A mutation and its audit
 * row commit in one transaction; a decryption's audit row is written before
 * the plaintext is returned.
 *
 * Writes go through writeTransaction (BEGIN IMMEDIATE on SQLite), so a
 * concurrent writer makes them wait the busy timeout, never fail half-way.
 */
export class SecretsService {
  readonly #db: Kysely<Database>
  readonly #keyring: Keyring
  readonly #now: () => Date
  /** The tamper-evident audit log every operation here appends to. */
  readonly auditLog: AuditLog

  constructor(options: SecretsServiceOptions) {
    this.#db = options.db
    this.#keyring = options.keyring
    this.auditLog = new AuditLog(options.keyring)
    this.#now = options.now ?? (() => new Date())
  }

  /** The current master key id. */
  get currentKeyId(): string {
    return this.#keyring.current.id
  }

  #metadata(row: SecretMetadataRow): SecretMetadata {
    return {
      name: row.name,
      description: row.description,
      created_at: row.created_at,
      updated_at: row.updated_at,
      rotated_at: row.rotated_at,
      key_id: row.key_id,
      key_current: row.key_id === this.#keyring.current.id,
    }
  }

  #audit(name: string, action: AuditAction, actor: Actor, outcome: 'ok' | 'error', at: string): AuditEntry {
    return { secret_name: name, action, accessor: actor.accessor, reason: actor.reason, outcome, at }
  }

  #checkActor(actor: Actor): Actor {
    return {
      accessor: validateField('accessor', AccessorSchema, actor?.accessor),
      reason: validateField('reason', ReasonSchema, actor?.reason),
    }
  }

  /**
   * Refuses to run over rows this keyring cannot open.
   * @throws ConfigError naming each unknown key id and how many rows it seals.
   */
  async assertKeysKnown(): Promise<void> {
    const unknown = (await distinctKeyIds(this.#db)).filter((id) => !this.#keyring.has(id))
    // Rows are counted only on the way to the error message.
    if (unknown.length > 0) throw unknownKeyIdsError(await countByKeyId(this.#db, unknown))
  }

  /** Rows per key id, and whether each key id is the current one. */
  async keyUsage(): Promise<Array<{ key_id: string; rows: number; current: boolean; configured: boolean }>> {
    return (await countByKeyId(this.#db)).map((k) => ({
      ...k,
      current: k.key_id === this.#keyring.current.id,
      configured: this.#keyring.has(k.key_id),
    }))
  }

  /** Metadata of every secret, sorted by name. */
  async list(): Promise<SecretMetadata[]> {
    return (await listSecretMetadata(this.#db)).map((r) => this.#metadata(r))
  }

  /**
   * Metadata of one secret.
   * @throws ValidationError for a malformed name; SecretNotFoundError.
   */
  async get(name: string): Promise<SecretMetadata> {
    validateField('name', SecretNameSchema, name)
    const row = await findSecretMetadata(this.#db, name)
    if (!row) throw new SecretNotFoundError(name)
    return this.#metadata(row)
  }

  /**
   * Creates a secret.
   * @throws ValidationError (nothing written); SecretExistsError.
   */
  async create(input: { name: string; value: string; description?: string | undefined }, actor: Actor): Promise<SecretMetadata> {
    const name = validateField('name', SecretNameSchema, input?.name)
    const value = validateField('value', SecretValueSchema, input?.value)
    const description = validateField('description', DescriptionSchema, input?.description ?? '')
    const who = this.#checkActor(actor)
    const sealed = await encryptValue(this.#keyring, encoder.encode(value), name)
    const at = this.#now().toISOString()
    const row = { name, description, ...sealed, created_at: at, updated_at: at, rotated_at: at }
    try {
      await writeTransaction(this.#db, async (trx) => {
        await insertSecret(trx, row)
        await this.auditLog.append(trx, [this.#audit(name, 'create', who, 'ok', at)])
      })
    } catch (e) {
      if (isUniqueViolation(e)) throw new SecretExistsError(name)
      throw e
    }
    return this.#metadata(row)
  }

  /**
   * Replaces the value (fresh IV, current key) and bumps `updated_at` and
   * `rotated_at`. An omitted description is kept.
   * @throws ValidationError (nothing written); SecretNotFoundError.
   */
  async replace(name: string, input: { value: string; description?: string | undefined }, actor: Actor): Promise<SecretMetadata> {
    validateField('name', SecretNameSchema, name)
    const value = validateField('value', SecretValueSchema, input?.value)
    const description =
      input?.description === undefined ? undefined : validateField('description', DescriptionSchema, input.description)
    const who = this.#checkActor(actor)
    const sealed = await encryptValue(this.#keyring, encoder.encode(value), name)
    const at = this.#now().toISOString()
    const update = { ...sealed, updated_at: at, rotated_at: at, ...(description === undefined ? {} : { description }) }
    await writeTransaction(this.#db, async (trx) => {
      if ((await updateSecret(trx, name, update)) === 0) throw new SecretNotFoundError(name)
      await this.auditLog.append(trx, [this.#audit(name, 'replace', who, 'ok', at)])
    })
    return this.get(name)
  }

  /**
   * Creates the secret, or replaces its value when it exists (`secrets set`).
   * @returns whether it was created.
   */
  async set(
    input: { name: string; value: string; description?: string | undefined },
    actor: Actor,
  ): Promise<{ created: boolean; secret: SecretMetadata }> {
    try {
      return { created: true, secret: await this.create(input, actor) }
    } catch (e) {
      if (!(e instanceof SecretExistsError)) throw e
      return { created: false, secret: await this.replace(input.name, input, actor) }
    }
  }

  /**
   * Deletes a secret for good. Its audit history stays.
   * @throws SecretNotFoundError.
   */
  async delete(name: string, actor: Actor): Promise<void> {
    validateField('name', SecretNameSchema, name)
    const who = this.#checkActor(actor)
    const at = this.#now().toISOString()
    await writeTransaction(this.#db, async (trx) => {
      if ((await deleteSecret(trx, name)) === 0) throw new SecretNotFoundError(name)
      await this.auditLog.append(trx, [this.#audit(name, 'delete', who, 'ok', at)])
    })
  }

  /**
   * Re-encrypts a secret under the current master key (fresh IV) and bumps
   * `rotated_at`. The decryption this needs is audited by the `rotate` row; a
   * failed decryption leaves a `rotate` row with outcome `error`.
   * @throws SecretNotFoundError; DecryptError / UnknownKeyError.
   */
  async rotate(name: string, actor: Actor): Promise<SecretMetadata> {
    validateField('name', SecretNameSchema, name)
    const who = this.#checkActor(actor)
    const row = await findSecret(this.#db, name)
    if (!row) throw new SecretNotFoundError(name)
    let plain: Uint8Array<ArrayBuffer>
    try {
      plain = await decryptValue(this.#keyring, row, name)
    } catch (e) {
      await this.#writeAudit([this.#audit(name, 'rotate', who, 'error', this.#now().toISOString())])
      throw e
    }
    const sealed = await encryptValue(this.#keyring, plain, name)
    plain.fill(0)
    const at = this.#now().toISOString()
    await writeTransaction(this.#db, async (trx) => {
      // Only if nobody replaced or rotated it meanwhile: their value wins.
      if ((await updateSecretIfKey(trx, name, row.key_id, { ...sealed, rotated_at: at })) === 0) {
        if (!(await findSecretMetadata(trx, name))) throw new SecretNotFoundError(name)
      }
      await this.auditLog.append(trx, [this.#audit(name, 'rotate', who, 'ok', at)])
    })
    return this.get(name)
  }

  /** How many secrets are not sealed under the current key. */
  async countStale(): Promise<number> {
    return (await this.keyUsage()).filter((k) => !k.current).reduce((n, k) => n + k.rows, 0)
  }

  /**
   * Re-encrypts the next batch of secrets not under the current key, in name
   * order after `after`, in one transaction with their audit rows (action
   * `rotate`). Idempotent and resumable: a batch commits whole or not at
   * all, every row stays decryptable throughout, and a rerun picks up what
   * is left. A row changed meanwhile (replaced, rotated by someone else) is
   * left as the other writer made it. Each batch also moves the audit
   * chain's keys onto the current master key (AuditLog.rekey), so after a
   * finished `rotate --all` the current key alone verifies the whole chain.
   *
   * @returns the names re-encrypted, those that failed (with the error code,
   *   never a value), and the last name looked at (the next `after`).
   */
  async rotateBatch(
    after: string,
    limit: number,
    actor: Actor,
  ): Promise<{ rotated: string[]; failed: Array<{ name: string; code: string }>; last: string | undefined }> {
    const who = this.#checkActor(actor)
    const current = this.#keyring.current.id
    const rows = await findStaleSecrets(this.#db, current, after, limit)
    const at = this.#now().toISOString()
    const sealed: Array<{ row: SecretRow; value: Awaited<ReturnType<typeof encryptValue>> }> = []
    const failed: Array<{ name: string; code: string }> = []
    const audit: AuditEntry[] = []
    for (const row of rows) {
      try {
        const plain = await decryptValue(this.#keyring, row, row.name)
        sealed.push({ row, value: await encryptValue(this.#keyring, plain, row.name) })
        plain.fill(0)
      } catch (e) {
        failed.push({ name: row.name, code: (e as { code?: string }).code ?? 'error' })
        audit.push(this.#audit(row.name, 'rotate', who, 'error', at))
      }
    }
    const rotated: string[] = []
    await writeTransaction(this.#db, async (trx) => {
      // The audit chain's keys move to the current master key with the secrets.
      await this.auditLog.rekey(trx)
      for (const { row, value } of sealed) {
        if ((await updateSecretIfKey(trx, row.name, row.key_id, { ...value, rotated_at: at })) === 1) {
          rotated.push(row.name)
          audit.push(this.#audit(row.name, 'rotate', who, 'ok', at))
        }
      }
      await this.auditLog.append(trx, audit)
    })
    return { rotated, failed, last: rows.at(-1)?.name }
  }

  async #writeAudit(rows: AuditEntry[]): Promise<void> {
    try {
      await writeTransaction(this.#db, (trx) => this.auditLog.append(trx, rows))
    } catch (cause) {
      throw new AuditWriteError({ cause })
    }
  }

  /**
   * Decrypts one sealed row for `accessor`, giving `reason`. The audit row
   * (action `read`, outcome `ok` or `error`) is written before the plaintext
   * is returned; if it cannot be written, no plaintext is returned.
   *
   * @throws ValidationError for an empty or overlong accessor or reason.
   * @throws AuditWriteError when the audit row could not be written.
   * @throws DecryptError / UnknownKeyError (after auditing the failure).
   */
  async decrypt(row: SealedSecret, accessor: string, reason: string): Promise<string> {
    const bytes = await this.decryptBytes(row, { accessor, reason })
    try {
      return decoder.decode(bytes)
    } finally {
      bytes.fill(0)
    }
  }

  /** {@link decrypt}, returning the value's UTF-8 bytes. */
  async decryptBytes(row: SealedSecret, actor: Actor): Promise<Uint8Array<ArrayBuffer>> {
    const who = this.#checkActor(actor)
    let plain: Uint8Array<ArrayBuffer> | undefined
    let failure: unknown
    try {
      plain = await decryptValue(this.#keyring, row, row.name)
    } catch (e) {
      failure = e
    }
    try {
      await this.#writeAudit([this.#audit(row.name, 'read', who, failure ? 'error' : 'ok', this.#now().toISOString())])
    } catch (e) {
      plain?.fill(0)
      throw e
    }
    if (failure !== undefined || plain === undefined) throw failure
    return plain
  }

  /**
   * Decrypts the named secrets for one render: every name must exist (else
   * MissingSecretError lists all missing ones, before anything is
   * decrypted), each is decrypted once, and their audit rows are written in
   * one transaction before any value is returned.
   *
   * @throws MissingSecretError; AuditWriteError; DecryptError / UnknownKeyError.
   */
  async resolveAll(names: readonly string[], actor: Actor): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
    const who = this.#checkActor(actor)
    const distinct = [...new Set(names)]
    const rows = new Map((await findSecrets(this.#db, distinct)).map((r) => [r.name, r]))
    const missing = distinct.filter((n) => !rows.has(n))
    if (missing.length > 0) throw new MissingSecretError(missing)

    const values = new Map<string, Uint8Array<ArrayBuffer>>()
    const audit: AuditEntry[] = []
    const at = this.#now().toISOString()
    let failure: unknown
    for (const name of distinct) {
      try {
        values.set(name, await decryptValue(this.#keyring, rows.get(name)!, name))
        audit.push(this.#audit(name, 'read', who, 'ok', at))
      } catch (e) {
        audit.push(this.#audit(name, 'read', who, 'error', at))
        failure = e
        break
      }
    }
    try {
      await this.#writeAudit(audit)
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

  /** Which of `names` exist, without decrypting or auditing anything (`render --check`). */
  async existing(names: readonly string[]): Promise<Set<string>> {
    return existingNames(this.#db, [...new Set(names)])
  }

  /**
   * One page of a secret's audit log, newest first. Works after the secret
   * was deleted.
   */
  async accessLog(name: string, page: { limit: number; beforeId?: number }): Promise<AccessLogEntry[]> {
    validateField('name', SecretNameSchema, name)
    const rows = await listAccessLog(this.#db, name, page)
    return rows.map(({ id, at, action, accessor, reason, outcome }) => ({ id, at, action, accessor, reason, outcome }))
  }

  /** The sealed row of one secret, for callers of {@link decrypt}. */
  async sealed(name: string): Promise<SealedSecret> {
    validateField('name', SecretNameSchema, name)
    const row = await findSecret(this.#db, name)
    if (!row) throw new SecretNotFoundError(name)
    return row
  }
}
