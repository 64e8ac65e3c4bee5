/**
 * Where a database's schema stands against this build, in one query and
 * without Kysely (a local `secrets render` checks it on a bare connection:
 * sqlite-reader.ts; migrations.ts checks it before it migrates).
 */
import { ConfigError } from '../errors.ts'
import { isUnavailable } from './open-errors.ts'
import { type Queryable, rawRows } from './raw-query.ts'

/**
 * Every migration's name, in order: the one list of them. Append only,
 * together with the module's import in migrations.ts (which imports the
 * migrations themselves, and Kysely with them, so this file does not);
 * migrations.ts refuses to load when the counts differ.
 */
export const MIGRATION_NAMES: readonly string[] = [
  '0001_create_secret',
  '0002_create_secret_access_log',
  '0003_audit_chain',
  '0004_create_operator',
  '0005_create_operator_session',
  '0006_audit_chain_key',
  '0007_audit_label',
  '0008_create_client',
  '0009_audit_client_columns',
  '0010_secret_versions',
]

/**
 * The migrations the database has run, or undefined when it has no
 * migration table yet (a new database). One small query: every CLI start
 * pays it, instead of the Migrator's lock-table round trips.
 * @throws the driver's error when the database does not answer at all.
 */
export async function appliedMigrations(db: Queryable): Promise<string[] | undefined> {
  try {
    const rows = await rawRows<{ name: string }>(db, 'select "name" from "kysely_migration"', [])
    return rows.map((r) => r.name)
  } catch (e) {
    if (isUnavailable(e)) throw e
    // No migration table yet: a new database.
    return undefined
  }
}

/**
 * `current` when the database ran every migration of this build, `behind`
 * when it has some left to run (or none ran yet: `applied` undefined).
 * @throws ConfigError when it ran migrations this build does not know (a
 *   newer release wrote it), naming them.
 */
export function schemaState(applied: readonly string[] | undefined): 'current' | 'behind' {
  if (applied === undefined) return 'behind'
  const unknown = applied.filter((name) => !MIGRATION_NAMES.includes(name)).sort()
  if (unknown.length > 0) {
    throw new ConfigError(
      `the database's schema is newer than this build: migration${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} ` +
        'unknown to it (a newer release applied them); run that release or a newer one',
    )
  }
  return applied.includes(MIGRATION_NAMES.at(-1)!) ? 'current' : 'behind'
}
