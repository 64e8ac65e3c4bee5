import { type Kysely, sql } from 'kysely'
import type { DialectName } from './dialect.ts'

/**
 * A token that changes whenever the database may have changed, so that
 * what was read under one token can be served again while the token stays
 * the same (sessions, the secrets list).
 *
 * SQLite: `PRAGMA data_version`, which changes when any other connection
 * (another process: the CLI, a second server) commits, joined with a
 * counter this process bumps after each of its own mutating requests (its
 * own commits do not move data_version). PostgreSQL has no such cheap
 * signal: `current()` is undefined there and callers must not cache.
 */
export class DatabaseGeneration {
  readonly #db: Kysely<any>
  readonly #enabled: boolean
  readonly #probe: (() => number) | undefined
  #local = 0

  /**
   * @param probe SQLite: reads `PRAGMA data_version` synchronously (Store.dataVersion);
   *   without it the pragma goes through Kysely, which queues for the
   *   connection: about a third of an authenticated request's time at 10k req/s.
   */
  constructor(db: Kysely<any>, dialect: DialectName, probe?: () => number) {
    this.#db = db
    this.#enabled = dialect === 'sqlite'
    this.#probe = this.#enabled ? probe : undefined
  }

  /** Marks that this process may have changed the database. */
  bump(): void {
    this.#local++
  }

  /** The current token, or undefined when changes cannot be detected (nothing may be cached). */
  async current(): Promise<string | undefined> {
    if (!this.#enabled) return undefined
    if (this.#probe) return `${this.#probe()}.${this.#local}`
    const { rows } = await sql<{ data_version: number }>`PRAGMA data_version`.execute(this.#db)
    return `${rows[0]?.data_version}.${this.#local}`
  }
}
