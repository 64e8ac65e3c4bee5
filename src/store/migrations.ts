import { type Kysely, type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely'
import { ConfigError } from '../errors.ts'
import { isUnavailable } from './open-errors.ts'
import * as m0001 from '../../migrations/0001_create_secret.ts'
import * as m0002 from '../../migrations/0002_create_secret_access_log.ts'
import * as m0003 from '../../migrations/0003_audit_chain.ts'
import * as m0004 from '../../migrations/0004_create_operator.ts'
import * as m0005 from '../../migrations/0005_create_operator_session.ts'
import * as m0006 from '../../migrations/0006_audit_chain_key.ts'
import * as m0007 from '../../migrations/0007_audit_label.ts'
import * as m0008 from '../../migrations/0008_create_client.ts'
import * as m0009 from '../../migrations/0009_audit_client_columns.ts'
import * as m0010 from '../../migrations/0010_secret_versions.ts'

/**
 * Every migration, in order, imported statically: FileMigrationProvider reads
 * `.ts` files from disk, which breaks in a bundled build. Append only; a
 * landed migration is never edited.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_create_secret': m0001,
  '0002_create_secret_access_log': m0002,
  '0003_audit_chain': m0003,
  '0004_create_operator': m0004,
  '0005_create_operator_session': m0005,
  '0006_audit_chain_key': m0006,
  '0007_audit_label': m0007,
  '0008_create_client': m0008,
  '0009_audit_client_columns': m0009,
  '0010_secret_versions': m0010,
}

const provider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
}

/** A Kysely Migrator over the static list. */
export function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider })
}

/**
 * The migrations the database has run, or undefined when it has no
 * migration table yet (a new database). One small query: every CLI start
 * pays it, instead of the Migrator's lock-table round trips.
 * @throws the driver's error when the database does not answer at all.
 */
async function appliedMigrations(db: Kysely<any>): Promise<string[] | undefined> {
  try {
    const rows = await db.selectFrom('kysely_migration').select('name').execute()
    return rows.map((r: { name: string }) => r.name)
  } catch (e) {
    if (isUnavailable(e)) throw e
    // No migration table yet: a new database.
    return undefined
  }
}

/**
 * Brings the schema to the latest migration (a no-op, checked with one query,
 * when it is already there).
 * @throws ConfigError when the database ran migrations this build does not
 *   know (a newer release wrote it), naming them; the driver's own error when
 *   the database does not answer; an Error naming the migration that failed,
 *   with its reason.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet | undefined> {
  const applied = await appliedMigrations(db)
  if (applied) {
    const unknown = applied.filter((name) => !Object.hasOwn(MIGRATIONS, name)).sort()
    if (unknown.length > 0) {
      throw new ConfigError(
        `the database's schema is newer than this build: migration${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} ` +
          'unknown to it (a newer release applied them); run that release or a newer one',
      )
    }
    if (applied.includes(Object.keys(MIGRATIONS).at(-1)!)) return undefined
  }
  const result = await migrator(db).migrateToLatest()
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName
    // No migration ran and failed: the database itself refused (connection, lock table).
    if (failed === undefined) throw result.error
    const why = String((result.error as { message?: unknown }).message ?? result.error).split('\n')[0]
    throw new Error(`database migration ${failed} failed: ${why}`, { cause: result.error })
  }
  return result
}
