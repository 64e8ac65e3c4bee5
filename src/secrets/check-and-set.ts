/**
 * The check-and-set of every write to an existing secret: `ifVersion` checked
 * at the edge, then compared, inside the write's transaction, with the row it
 * writes over (locked first, so no writer can change it in between).
 */
import type { Kysely } from 'kysely'
import { SecretNotFoundError, VersionMismatchError } from '../errors.ts'
import { lockSecret } from '../store/secret.repository.ts'
import type { Database, SecretRow } from '../store/schema.ts'
import type { IfVersion } from './types.ts'
import { IfVersionSchema, validateField } from './validation.ts'

/**
 * The checked `ifVersion`, or undefined when none was given.
 * @throws ValidationError naming `ifVersion`.
 */
export function checkIfVersion(cas: IfVersion | undefined): number | undefined {
  return cas?.ifVersion === undefined ? undefined : validateField('ifVersion', IfVersionSchema, cas.ifVersion)
}

/**
 * Locks the secret row `name` inside `trx` and returns it, when it exists
 * and (with `ifVersion`) is at that version.
 * @throws SecretNotFoundError; VersionMismatchError.
 */
export async function lockCurrent(trx: Kysely<Database>, name: string, ifVersion: number | undefined): Promise<SecretRow> {
  const current = await lockSecret(trx, name)
  if (!current) throw new SecretNotFoundError(name)
  if (ifVersion !== undefined && current.version !== ifVersion) throw new VersionMismatchError(name, current.version, ifVersion)
  return current
}
