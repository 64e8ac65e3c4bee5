import type { Kysely } from 'kysely'
import { AuditBatcher } from '../audit/audit-batcher.ts'
import { AuditLog } from '../audit/audit-log.ts'
import type { Keyring } from '../crypto/keyring.ts'
import { SecretNotFoundError } from '../errors.ts'
import { type LastRead, lastReads, listAccessLog } from '../store/access-log.repository.ts'
import type { Database } from '../store/schema.ts'
import { existingNames, findSecret, findSecretMetadata, listSecretMetadata } from '../store/secret.repository.ts'
import { baselineVersions } from './baseline.ts'
import {
  createSecret,
  describeSecret,
  type NewSecretInput,
  removeSecret,
  type ReplaceInput,
  replaceSecret,
  setSecret,
} from './mutations.ts'
import { decryptBytes, resolveAll } from './reads.ts'
import {
  assertKeysKnown,
  countStale,
  type KeyUsage,
  keyUsage,
  resealBatch,
  type ResealBatchResult,
  rotateBatch,
  type RotateBatchResult,
  rotateSecret,
} from './rotation.ts'
import {
  type AccessLogEntry,
  type Actor,
  type IfVersion,
  type SealedSecret,
  type SecretMetadata,
  type SecretVersions,
  type ServiceDeps,
  toMetadata,
} from './types.ts'
import { listVersions, rollbackSecret } from './versions.ts'
import { DEFAULT_VERSIONS_KEPT } from './versions-kept.ts'
import { SecretNameSchema, validateField } from './validation.ts'

export type { AccessLogEntry, Actor, IfVersion, SealedSecret, SecretMetadata, SecretVersionInfo, SecretVersions } from './types.ts'
export type { KeyUsage, ResealBatchResult, RotateBatchResult } from './rotation.ts'
export type { LastRead } from '../store/access-log.repository.ts'

export { DEFAULT_VERSIONS_KEPT } from './versions-kept.ts'

export interface SecretsServiceOptions {
  db: Kysely<Database>
  keyring: Keyring
  /** The clock, for tests. */
  now?: () => Date
  /** How many previous versions of each secret are kept (SECRET_VERSIONS_KEPT; default {@link DEFAULT_VERSIONS_KEPT}). */
  versionsKept?: number
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
  /** Group commit for the audit rows of reads and refusals (each process has its own). */
  readonly auditBatcher: AuditBatcher

  constructor(options: SecretsServiceOptions) {
    this.auditLog = new AuditLog(options.keyring)
    this.auditBatcher = new AuditBatcher(options.db, this.auditLog)
    this.#deps = {
      db: options.db,
      keyring: options.keyring,
      auditLog: this.auditLog,
      auditBatcher: this.auditBatcher,
      now: options.now ?? (() => new Date()),
      versionsKept: options.versionsKept ?? DEFAULT_VERSIONS_KEPT,
    }
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

  /** How many secrets `rotate --all` has left: not sealed under the current key, or still under the format-1 additional data. */
  countStale(): Promise<number> {
    return countStale(this.#deps)
  }

  /**
   * Writes the `baseline` audit rows of the secrets found at the upgrade to
   * versions, once (see baseline.ts); `openSecrets` calls it. Returns how many.
   */
  baselineVersions(): Promise<number> {
    return baselineVersions(this.#deps)
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
   * Replaces the value as a new version (the previous value kept), bumps
   * `updated_at` and `rotated_at`; an omitted description is kept. With
   * `ifVersion`, only when the secret is at that version (check-and-set).
   * @throws ValidationError (nothing written); SecretNotFoundError; VersionMismatchError.
   */
  replace(name: string, input: ReplaceInput, actor: Actor, cas?: IfVersion): Promise<SecretMetadata> {
    return replaceSecret(this.#deps, name, input, actor, cas)
  }

  /**
   * Changes the description alone (no new version).
   * @throws ValidationError (nothing written); SecretNotFoundError; VersionMismatchError.
   */
  describe(name: string, description: string, actor: Actor, cas?: IfVersion): Promise<SecretMetadata> {
    return describeSecret(this.#deps, name, description, actor, cas)
  }

  /** The versions of a secret, newest first, metadata only. @throws SecretNotFoundError. */
  versions(name: string): Promise<SecretVersions> {
    return listVersions(this.#deps, name)
  }

  /**
   * Writes the value of a kept version as a new version (see versions.ts).
   * @throws SecretNotFoundError; UnknownVersionError; VersionMismatchError; DecryptError.
   */
  rollback(name: string, version: number, actor: Actor, cas?: IfVersion): Promise<SecretMetadata> {
    return rollbackSecret(this.#deps, name, version, actor, cas)
  }

  /**
   * Creates the secret, or replaces its value when it exists (`secrets set`).
   * With `ifVersion`: 0 creates only, N replaces only a secret at version N.
   * @returns whether it was created.
   */
  set(input: NewSecretInput, actor: Actor, cas?: IfVersion): Promise<{ created: boolean; secret: SecretMetadata }> {
    return setSecret(this.#deps, input, actor, cas)
  }

  /**
   * Deletes a secret for good, its kept versions with it. Its audit history
   * stays. With `ifVersion`, only when the secret is at that version.
   * @throws SecretNotFoundError; VersionMismatchError.
   */
  delete(name: string, actor: Actor, cas?: IfVersion): Promise<void> {
    return removeSecret(this.#deps, name, actor, cas)
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

  /** Re-seals the next batch of stale kept versions after `after` (see rotation.ts). */
  resealBatch(after: { name: string; version: number } | undefined, limit: number, actor: Actor): Promise<ResealBatchResult> {
    return resealBatch(this.#deps, after, limit, actor)
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
    return rows.map(({ id, at, action, accessor, label, token_id, client_address, reason, outcome, version }) => ({
      id,
      version: version === null ? null : Number(version),
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
