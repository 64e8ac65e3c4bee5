/**
 * A local `secrets render`'s reads on SQLite without Kysely: the same
 * resolveAll as the service (reads.ts: every name must exist, each value is
 * decrypted once, the audit rows commit before any value is returned), on a
 * bare SQLite connection (sqlite-connection.ts), appending to the audit
 * chain with the same AuditLog. Loading Kysely and building its queries was
 * most of a small render's cost above the floor (docs/benchmarks.md).
 *
 * It only takes a store that needs nothing from an open but reading: an
 * existing SQLite file whose schema is at this build's latest migration,
 * whose audit chain head is sealed, whose baseline rows are written, and
 * whose rows are all sealed under configured key ids. Anything else (a new
 * or older store, PostgreSQL, a store that refuses) returns undefined, and
 * the caller opens the store the usual way (context.ts: openSecrets), which
 * migrates, seals, writes the baseline or refuses exactly as for any other
 * command.
 */
import { existsSync } from 'node:fs'
import { AuditBatcher } from '../audit/audit-batcher.ts'
import { AuditLog } from '../audit/audit-log.ts'
import { bunChainSignerFactory } from '../audit/chain-hasher.ts'
import { startKeyring } from '../key-sources.ts'
import { parseDatabaseUrl } from '../store/database-url.ts'
import { appliedMigrations, schemaState } from '../store/schema-state.ts'
import { distinctKeyIds } from '../store/secret.repository.ts'
import { rawRows, type SqlConnection } from '../store/raw-query.ts'
import { sqliteConnection } from '../store/sqlite-connection.ts'
import { openConfiguredSqlite, type SqliteHandle } from '../store/sqlite-handle.ts'
import { baselinePending } from './baseline.ts'
import { resolveAll } from './reads.ts'
import type { Actor } from './types.ts'
import { versionsKeptFrom } from './versions-kept.ts'

/** The reads a render needs, and the close of what they run on. */
export interface SecretReader {
  /** reads.ts resolveAll: the decrypted values by name, audited and committed. */
  resolveAll(names: readonly string[], actor: Actor): Promise<Map<string, Uint8Array<ArrayBuffer>>>
  /** Which of `names` exist (`render --check`, as the service's existing): decrypts nothing, writes no audit row. */
  existing(names: readonly string[]): Promise<Set<string>>
  close(): Promise<void>
}

/**
 * The reader over the SQLite store `DATABASE_URL` names, or undefined when
 * that store needs the usual open (see above). As openSecrets does, the
 * configuration is checked first (SECRET_VERSIONS_KEPT, the master keys:
 * read from `env`, and removed from it when it is the process's; a second
 * load in this process finds them: key-sources.ts), so a bad one fails
 * before the database is touched.
 * @throws ConfigError for a bad SECRET_VERSIONS_KEPT or master key.
 */
export async function openSqliteReader(env: Readonly<Record<string, string | undefined>>): Promise<SecretReader | undefined> {
  versionsKeptFrom(env)
  // Every check of the keys throws here, before the database is touched; their
  // import runs on WebCrypto's threads while the database opens, awaited below.
  const importing = startKeyring(env)
  const opened = await openReady(env, importing)
  const keyring = await importing
  if (!opened) return undefined
  const { handle, db, keyIds } = opened
  if (!keyIds.every((id) => keyring.has(id))) {
    handle.close()
    return undefined
  }
  // Links computed synchronously with Bun's native HMAC (chain-hasher.ts), not awaited one by one.
  const auditLog = new AuditLog(keyring, { signers: bunChainSignerFactory() })
  const deps = { db, keyring, auditBatcher: new AuditBatcher(db, auditLog), now: () => new Date() }
  let closed = false
  return {
    resolveAll: (names, actor) => resolveAll(deps, names, actor),
    existing: (names) => existingNames(db, names),
    async close() {
      if (closed) return
      closed = true
      handle.close()
    },
  }
}

/** Which of `names` have a secret row, a few hundred names a query (SQLite's bound-parameter limit). */
async function existingNames(db: SqlConnection, names: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(names)]
  const found = new Set<string>()
  for (let at = 0; at < unique.length; at += NAMES_A_QUERY) {
    const batch = unique.slice(at, at + NAMES_A_QUERY)
    const rows = await rawRows<{ name: string }>(db, `select "name" from "secret" where "name" in (${batch.map(() => '?').join(', ')})`, batch)
    for (const row of rows) found.add(row.name)
  }
  return found
}
const NAMES_A_QUERY = 500

/** The store open and checked, with the key ids its rows use; undefined when it needs the usual open. */
async function openReady(
  env: Readonly<Record<string, string | undefined>>,
  importing: Promise<unknown>,
): Promise<{ handle: SqliteHandle; db: SqlConnection; keyIds: string[] } | undefined> {
  // A failed import is the caller's to report (it awaits `importing`); not an unhandled rejection here meanwhile.
  importing.catch(() => undefined)
  let location
  try {
    location = parseDatabaseUrl(env.DATABASE_URL || undefined)
  } catch {
    return undefined
  }
  // A new file is the usual open's to create (and to announce): not here.
  if (location.kind !== 'sqlite' || location.path === ':memory:' || !existsSync(location.path)) return undefined
  let handle: SqliteHandle
  try {
    handle = await openConfiguredSqlite(location.path)
  } catch {
    return undefined
  }
  const db = sqliteConnection(handle)
  try {
    // What openSecrets would do beyond reading, each a refusal or a write: leave them all to it.
    const ready = schemaState(await appliedMigrations(db)) === 'current' && (await AuditLog.sealed(db)) && !(await baselinePending(db))
    if (ready) return { handle, db, keyIds: await distinctKeyIds(db) }
  } catch {
    // Any failure: the usual open meets it again, and reports it as every command does.
  }
  handle.close()
  return undefined
}
