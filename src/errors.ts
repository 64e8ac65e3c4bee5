/**
 * The closed set of errors the library throws. Every class carries a stable
 * `code` (part of the public interface: HTTP error bodies and the CLI use it).
 *
 * No message built here ever contains a secret value: constructors take names,
 * fields and positions only.
 */

/** Every stable error code, in one closed union. */
export type ErrorCode =
  | 'config_error'
  | 'validation_error'
  | 'not_found'
  | 'already_exists'
  | 'decrypt_failed'
  | 'unknown_key_id'
  | 'audit_write_failed'
  | 'missing_secret'
  | 'malformed_placeholder'
  | 'conflict'
  | 'not_granted'
  | 'store_unavailable'
  | 'version_mismatch'
  | 'unknown_version'
  | 'row_not_audited'

/** Base class of every error this package throws on purpose. */
export class SecretsError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** Bad or missing configuration (master key, database URL). The CLI exits 78. */
export class ConfigError extends SecretsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config_error', message, options)
  }
}

/**
 * Input that breaks a rule. `field` names the input (`name`, `value`,
 * `description`, `accessor`, `reason`, …) and `rule` the broken rule; the
 * rejected input itself is never kept.
 */
export class ValidationError extends SecretsError {
  readonly field: string
  readonly rule: string
  constructor(field: string, rule: string, message: string) {
    super('validation_error', message)
    this.field = field
    this.rule = rule
  }
}

/** No secret with that name. */
export class SecretNotFoundError extends SecretsError {
  readonly secretName: string
  constructor(name: string) {
    super('not_found', `secret ${name} does not exist`)
    this.secretName = name
  }
}

/** A secret with that name exists already. */
export class SecretExistsError extends SecretsError {
  readonly secretName: string
  constructor(name: string) {
    super('already_exists', `secret ${name} already exists`)
    this.secretName = name
  }
}

/**
 * A row failed to decrypt: wrong key, tampered ciphertext, IV or tag, or a
 * ciphertext moved from another row (the name is bound as additional data).
 */
export class DecryptError extends SecretsError {
  constructor(message = 'decryption failed: wrong key or tampered data', options?: { cause?: unknown }) {
    super('decrypt_failed', message, options)
  }
}

/** A row names a key id that no configured master key has. */
export class UnknownKeyError extends SecretsError {
  readonly keyId: string
  constructor(keyId: string) {
    super('unknown_key_id', `no configured master key has key id ${keyId}`)
    this.keyId = keyId
  }
}

/** The audit row could not be written, so no plaintext was returned. */
export class AuditWriteError extends SecretsError {
  constructor(options?: { cause?: unknown }) {
    super('audit_write_failed', 'the audit row could not be written; no plaintext was returned', options)
  }
}

/**
 * A read-modify-write whose write did not take
 * (a guarded write under the row's lock that changed nothing: a fault of the
 * store, since writers of one secret take turns): nothing was written, and
 * the other writers' values stand. Try again.
 */
export class SecretChangedError extends SecretsError {
  readonly secretName: string
  constructor(name: string) {
    super('conflict', `secret ${name} changed while it was being written; nothing was written, try again`)
    this.secretName = name
  }
}

/**
 * A check-and-set lost: the caller said which version it read (`If-Match`,
 * `--if-version`) and the secret is at another one now (or does not exist,
 * `current` 0; or exists while the caller asked for a create, `expected` 0).
 * Nothing was written.
 */
export class VersionMismatchError extends SecretsError {
  readonly secretName: string
  readonly current: number
  readonly expected: number
  constructor(name: string, current: number, expected: number) {
    super(
      'version_mismatch',
      current === 0
        ? `secret ${name} does not exist (expected version ${expected}); nothing was written`
        : expected === 0
          ? `secret ${name} exists already (at version ${current}); nothing was written`
          : `secret ${name} is at version ${current}, not ${expected}; nothing was written`,
    )
    this.secretName = name
    this.current = current
    this.expected = expected
  }
}

/**
 * A rotation or rollback found a secret row (or kept version) that its last
 * audited mutation did not write (an older ciphertext put back, a copied
 * row) and refused to re-seal it: that would make the log vouch for it.
 * `secrets audit verify` names it too.
 */
export class RowNotAuditedError extends SecretsError {
  readonly secretName: string
  readonly version: number
  constructor(name: string, version: number) {
    super(
      'row_not_audited',
      `secret ${name} (version ${version}) is not the row its last audited mutation wrote; nothing was re-sealed: run \`secrets audit verify\``,
    )
    this.secretName = name
    this.version = version
  }
}

/** A rollback names a version that is not kept (never written, pruned, or the current one). */
export class UnknownVersionError extends SecretsError {
  readonly secretName: string
  readonly version: number
  constructor(name: string, version: number, why: string) {
    super('unknown_version', `secret ${name} has no version ${version} to roll back to: ${why}`)
    this.secretName = name
    this.version = version
  }
}

/** One or more placeholders name secrets that do not exist. `names` lists them all. */
export class MissingSecretError extends SecretsError {
  readonly names: readonly string[]
  constructor(names: string | readonly string[]) {
    const list = typeof names === 'string' ? [names] : [...names]
    super('missing_secret', `missing secret${list.length === 1 ? '' : 's'}: ${list.join(', ')}`)
    this.names = list
  }
}

/** `${SECRET:` not followed by a valid name and `}`. Line and column are 1-based. */
export class MalformedPlaceholderError extends SecretsError {
  readonly line: number
  readonly column: number
  constructor(line: number, column: number, detail: string) {
    super('malformed_placeholder', `malformed placeholder at line ${line}, column ${column}: ${detail}`)
    this.line = line
    this.column = column
  }
}
