/**
 * Before a rotation or a rollback re-seals a value, the row it read must be
 * the one the audit log says was written: otherwise a replayed old
 * ciphertext (which decrypts) would be re-sealed as a new version and the
 * log would vouch for it from then on. One indexed query per secret
 * (secret_access_log_name_id_idx); `secrets audit verify` makes the full
 * check (src/audit/verify-secrets.ts).
 */
import type { Kysely } from 'kysely'
import { ciphertextSha256 } from '../crypto/aes-gcm.ts'
import { RowNotAuditedError } from '../errors.ts'
import type { AuditAction, Database } from '../store/schema.ts'

// The actions that write a secret's current row, and its delete.
const WRITERS: AuditAction[] = ['create', 'replace', 'rotate', 'rollback', 'baseline']

async function lastAbout(db: Kysely<Database>, name: string, actions: AuditAction[], version?: number) {
  let query = db
    .selectFrom('secret_access_log')
    .select(['id', 'action', 'version', 'ciphertext_sha256'])
    .where('secret_name', '=', name)
    .where('outcome', '=', 'ok')
    .where('version', 'is not', null)
    .where('action', 'in', actions)
  if (version !== undefined) query = query.where('version', '=', version)
  return query.orderBy('id', 'desc').limit(1).executeTakeFirst()
}

/**
 * The current row of `name` must hold the version and ciphertext of the
 * last audited write of it (no delete since).
 * @throws RowNotAuditedError.
 */
export async function assertCurrentAudited(
  db: Kysely<Database>,
  row: { name: string; version: number; ciphertext: Uint8Array<ArrayBuffer> },
): Promise<void> {
  const last = await lastAbout(db, row.name, [...WRITERS, 'delete'])
  if (!last || last.action === 'delete' || Number(last.version) !== row.version || last.ciphertext_sha256 !== (await ciphertextSha256(row.ciphertext))) {
    throw new RowNotAuditedError(row.name, row.version)
  }
}

/**
 * A kept version of `name` must hold the ciphertext last written for it
 * (a write or a re-seal, since the secret's last create, never pruned since).
 * @throws RowNotAuditedError.
 */
export async function assertKeptAudited(
  db: Kysely<Database>,
  kept: { name: string; version: number; ciphertext: Uint8Array<ArrayBuffer> },
): Promise<void> {
  const created = await lastAbout(db, kept.name, ['create', 'baseline', 'delete'])
  const last = await lastAbout(db, kept.name, [...WRITERS, 'reseal', 'prune'], kept.version)
  const ok =
    last !== undefined &&
    created !== undefined &&
    created.action !== 'delete' &&
    Number(last.id) >= Number(created.id) &&
    last.action !== 'prune' &&
    last.ciphertext_sha256 === (await ciphertextSha256(kept.ciphertext))
  if (!ok) throw new RowNotAuditedError(kept.name, kept.version)
}
