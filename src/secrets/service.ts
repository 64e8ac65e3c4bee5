import type { Kysely } from 'kysely'
import { AuditLog } from '../audit/audit-log.ts'
import type { Keyring } from '../crypto/keyring.ts'
import { SecretNotFoundError } from '../errors.ts'
import { type LastRead, lastReads, listAccessLog } from '../store/access-log.repository.ts'
import type { Database } from '../store/schema.ts'
import { existingNames, findSecret, findSecretMetadata, listSecretMetadata } from '../store/secret.repository.ts'
import { createSecret, type NewSecretInput, removeSecret, type ReplaceInput, replaceSecret, setSecret } from './mutations.ts'
import { decryptBytes, resolveAll } from './reads.ts'
import { assertKeysKnown, type KeyUsage, keyUsage, rotateBatch, type RotateBatchResult, rotateSecret } from './rotation.ts'
import { type AccessLogEntry, type Actor, type SealedSecret, type SecretMetadata, type ServiceDeps, toMetadata } from './types.ts'
import { SecretNameSchema, validateField } from './validation.ts'

export type { AccessLogEntry, Actor, SealedSecret, SecretMetadata } from './types.ts'
export type { KeyUsage, RotateBatchResult } from './rotation.ts'
export type { LastRead } from '../store/access-log.repository.ts'

export interface SecretsServiceOptions {
  db: Kysely<Database>
  keyring: Keyring
  /** The clock, for tests. */
  now?: () => Date
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * The secrets service: every create, replace, delete, rotate and decryption
 * goes through here, and each leaves an audit row. A facade over three
 * files: reads.ts (decryptions: the audit row is written before the
 * plaintext leaves), mutations.ts (create, replace, set, delete: each
 * commits with its audit row), rotation.ts (re-encryption, key usage).
 * Metadata reads, which decrypt nothing and audit nothing, are here.
 */
export class SecretsService {
  readonly #deps: ServiceDeps
  /** The tamper-evident audit log every operation here appends to. */
  readonly auditLog: AuditLog

  constructor(options: SecretsServiceOptions) {
    this.auditLog = new AuditLog(options.keyring)
    this.#deps = { db: options.db, keyring: options.keyring, auditLog: this.auditLog, now: options.now ?? (() => new Date()) }
  }

  /** The current master key id. */
  get currentKeyId(): string {
    return this.#deps.keyring.current.id
  }

  /**
   * Refuses to run over rows this keyring cannot open.
   * @throws ConfigError naming each unknown key id and how many rows it seals.
   */
  assertKeysKnown(): Promise<void> {
    return assertKeysKnown(this.#deps)
  }

  /** Rows per key id, and whether each key id is the current one. */
  keyUsage(): Promise<KeyUsage[]> {
    return keyUsage(this.#deps)
  }

  /** How many secrets are not sealed under the current key. */
  async countStale(): Promise<number> {
    return (await this.keyUsage()).filter((k) => !k.current).reduce((n, k) => n + k.rows, 0)
  }

  /** Metadata of every secret, sorted by name. */
  async list(): Promise<SecretMetadata[]> {
    return (await listSecretMetadata(this.#deps.db)).map((r) => toMetadata(r, this.currentKeyId))
  }

  /** The newest successful read of each secret that has one (one query; see access-log.repository.ts). */
  lastReads(): Promise<Map<string, LastRead>> {
    return lastReads(this.#deps.db)
  }

  /**
   * Metadata of one secret.
   * @throws ValidationError for a malformed name; SecretNotFoundError.
   */
  async get(name: string): Promise<SecretMetadata> {
    validateField('name', SecretNameSchema, name)
    const row = await findSecretMetadata(this.#deps.db, name)
    if (!row) throw new SecretNotFoundError(name)
    return toMetadata(row, this.currentKeyId)
  }

  /**
   * Creates a secret.
   * @throws ValidationError (nothing written); SecretExistsError.
   */
  create(input: NewSecretInput, actor: Actor): Promise<SecretMetadata> {
    return createSecret(this.#deps, input, actor)
  }

  /**
   * Replaces the value (fresh IV, current key) and bumps `updated_at` and
   * `rotated_at`. An omitted description is kept.
   * @throws ValidationError (nothing written); SecretNotFoundError.
   */
  replace(name: string, input: ReplaceInput, actor: Actor): Promise<SecretMetadata> {
    return replaceSecret(this.#deps, name, input, actor)
  }

  /**
   * Creates the secret, or replaces its value when it exists (`secrets set`).
   * @returns whether it was created.
   */
  set(input: NewSecretInput, actor: Actor): Promise<{ created: boolean; secret: SecretMetadata }> {
    return setSecret(this.#deps, input, actor)
  }

  /**
   * Deletes a secret for good. Its audit history stays.
   * @throws SecretNotFoundError.
   */
  delete(name: string, actor: Actor): Promise<void> {
    return removeSecret(this.#deps, name, actor)
  }

  /**
   * Re-encrypts a secret under the current master key (see rotation.ts).
   * @throws SecretNotFoundError; DecryptError / UnknownKeyError.
   */
  rotate(name: string, actor: Actor): Promise<SecretMetadata> {
    return rotateSecret(this.#deps, name, actor)
  }

  /** Re-encrypts the next batch of stale secrets after `after` (see rotation.ts). */
  rotateBatch(after: string, limit: number, actor: Actor): Promise<RotateBatchResult> {
    return rotateBatch(this.#deps, after, limit, actor)
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
  decryptBytes(row: SealedSecret, actor: Actor): Promise<Uint8Array<ArrayBuffer>> {
    return decryptBytes(this.#deps, row, actor)
  }

  /**
   * Decrypts the named secrets for one render, auditing them in one
   * transaction before any value is returned (see reads.ts).
   * @throws MissingSecretError; AuditWriteError; DecryptError / UnknownKeyError.
   */
  resolveAll(names: readonly string[], actor: Actor): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
    return resolveAll(this.#deps, names, actor)
  }

  /** Which of `names` exist, without decrypting or auditing anything (`render --check`). */
  existing(names: readonly string[]): Promise<Set<string>> {
    return existingNames(this.#deps.db, [...new Set(names)])
  }

  /**
   * One page of a secret's audit log, newest first. Works after the secret
   * was deleted.
   */
  async accessLog(name: string, page: { limit: number; beforeId?: number }): Promise<AccessLogEntry[]> {
    validateField('name', SecretNameSchema, name)
    const rows = await listAccessLog(this.#deps.db, name, page)
    return rows.map(({ id, at, action, accessor, label, token_id, client_address, reason, outcome }) => ({
      id,
      at,
      action,
      accessor,
      label,
      token_id,
      client_address,
      reason,
      outcome,
    }))
  }

  /** The sealed row of one secret, for callers of {@link decrypt}. */
  async sealed(name: string): Promise<SealedSecret> {
    validateField('name', SecretNameSchema, name)
    const row = await findSecret(this.#deps.db, name)
    if (!row) throw new SecretNotFoundError(name)
    return row
  }
}
