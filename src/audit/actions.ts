/**
 * The actions and outcomes an audit row may hold: the one list the store's
 * types, the HTTP filters (`GET /audit?action=`) and the UI's wording share,
 * so an action added here is accepted by the filter and must be worded by the
 * UI (its table is typed by this list). No imports: web/ imports it too.
 */

/** Decryptions and changes of secrets. `read` with outcome `denied`: a client's request its grants do not cover; `authenticate`: a client token refused (secret_name empty). */
export const SECRET_ACTIONS = ['create', 'replace', 'read', 'rotate', 'delete', 'authenticate'] as const

/**
 * Security events (src/audit/security-audit.ts, docs/audit.md), rows with an
 * empty secret_name: a login (`ok`, or `denied` for a wrong username or
 * password), a logout, a lockout (a username or address locked by failed
 * logins), operator and client changes, a token issued or revoked. A
 * token's use is the delivery's own `read` row, which carries its token_id.
 */
export const SECURITY_ACTIONS = [
  'login',
  'logout',
  'lockout',
  'operator_add',
  'operator_passwd',
  'operator_remove',
  'client_add',
  'client_update',
  'client_remove',
  'token_issue',
  'token_revoke',
] as const

/**
 * The actions of versions (0010): `rollback` (an old value as a new version),
 * `describe` (the description alone), `prune` (a kept version removed past
 * SECRET_VERSIONS_KEPT), `reseal` (a kept version re-encrypted by `rotate
 * --all`), `baseline` (the row a secret had when versions were introduced).
 */
export const SECRET_VERSION_ACTIONS = ['rollback', 'describe', 'prune', 'reseal', 'baseline'] as const

export const AUDIT_ACTIONS = [...SECRET_ACTIONS, ...SECURITY_ACTIONS, ...SECRET_VERSION_ACTIONS] as const
export const AUDIT_OUTCOMES = ['ok', 'error', 'denied'] as const

export type SecurityAction = (typeof SECURITY_ACTIONS)[number]
export type SecretVersionAction = (typeof SECRET_VERSION_ACTIONS)[number]
export type AuditAction = (typeof AUDIT_ACTIONS)[number]
/** Whether the audited operation succeeded. */
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number]
