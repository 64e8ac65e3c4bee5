import { type Kysely, type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely'
import { appliedMigrations, MIGRATION_NAMES, schemaState } from './schema-state.ts'
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
 * Every migration module, in the order of MIGRATION_NAMES (schema-state.ts,
 * the one list of their names), imported statically: FileMigrationProvider
 * reads `.ts` files from disk, which breaks in a bundled build. Append only,
 * a module here and its name there; a landed migration is never edited.
 * test/store/schema-state.test.ts checks that each name has its own file's module.
 */
const MODULES: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010]

// Refuse to load with a module and no name, or a name and no module.
if (MODULES.length !== MIGRATION_NAMES.length) {
  throw new Error(`internal: ${MODULES.length} migration modules (migrations.ts) for ${MIGRATION_NAMES.length} names (schema-state.ts)`)
}

/** Every migration by name, in order: what the Migrator runs. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.fromEntries(MIGRATION_NAMES.map((name, i) => [name, MODULES[i]!]))

const provider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
}

/** A Kysely Migrator over the static list. */
export function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider })
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
  if (schemaState(await appliedMigrations(db)) === 'current') return undefined
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
