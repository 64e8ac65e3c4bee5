import type { Keyring } from './crypto/keyring.ts'
import { loadKeyring } from './key-sources.ts'
import { SecretsService } from './secrets/service.ts'
import { versionsKeptFrom } from './secrets/versions-kept.ts'
import { openStore, type Store } from './store/database.ts'

export { versionsKeptFrom } from './secrets/versions-kept.ts'

/** Environment variables, as a plain record (process.env, Deno.env.toObject(), a test's own). */
export type Env = Readonly<Record<string, string | undefined>>

/** Everything a command or the server needs: the open store, the keyring and the service. */
export interface SecretsContext {
  readonly store: Store
  readonly keyring: Keyring
  readonly service: SecretsService
  close(): Promise<void>
}

/**
 * Opens the secrets store the environment describes. In this order, so a bad
 * configuration fails before anything is touched: the master keys (each from
 * exactly one of its variable, its `_FILE` or its systemd credential:
 * key-sources.ts; read from `process.env`, the variables are removed from it), then the
 * database (`DATABASE_URL`, migrated to the latest schema), then the check
 * that every stored row's key id is configured. When this open migrated the
 * store (a new store, or an upgrade), it also authenticates the audit
 * chain's head (AuditLog.seal), while it still holds what the upgrade found,
 * and the first open with the master key after the upgrade to versions
 * writes the baseline audit rows (SecretsService.baselineVersions).
 * `SECRET_VERSIONS_KEPT` (default 10) is how many previous versions of each
 * secret are kept.
 *
 * @throws ConfigError for a missing or malformed key, a SECRET_VERSIONS_KEPT that is not 0-1000, an unknown database URL,
 *   or rows sealed under key ids no configured key has.
 */
export async function openSecrets(env: Env, options: { now?: () => Date } = {}): Promise<SecretsContext> {
  const versionsKept = versionsKeptFrom(env)
  const keyring = await loadKeyring(env)
  const store = await openStore(env.DATABASE_URL || undefined)
  const service = new SecretsService({ db: store.db, keyring, versionsKept, ...options })
  try {
    await service.assertKeysKnown()
    if (store.migrated.length > 0) await service.auditLog.seal(store.db)
    // The secrets found at the upgrade to versions (0010) get their baseline audit rows (one query once done).
    await service.baselineVersions()
  } catch (e) {
    await store.close()
    throw e
  }
  return { store, keyring, service, close: () => store.close() }
}
