import { fstatSync, openSync, readSync, statSync } from 'node:fs'
import { type Kysely, sql } from 'kysely'
import type { DialectName } from './dialect.ts'

/**
 * A token that changes whenever the database may have changed, so that
 * what was read under one token can be served again while the token stays
 * the same (sessions, the secrets list).
 *
 * SQLite: the database's change signal, which moves when any other
 * connection (another process: the CLI, a second server) commits, joined
 * with a counter this process bumps after each of its own mutating
 * requests. The signal is read from the WAL-index header when the store is
 * a WAL file ({@link walIndexProbe}), else `PRAGMA data_version`.
 * PostgreSQL has no such cheap signal: `current()` is undefined there and
 * callers must not cache.
 */
export class DatabaseGeneration {
  readonly #db: Kysely<any>
  readonly #enabled: boolean
  readonly #probe: (() => number | string) | undefined
  #local = 0

  /**
   * @param probe SQLite: reads the change signal synchronously ({@link walIndexProbe},
   *   or `PRAGMA data_version` on the driver's handle, Store.dataVersion);
   *   without it the pragma goes through Kysely, which queues for the
   *   connection: about a third of an authenticated request's time at 10k req/s.
   */
  constructor(db: Kysely<any>, dialect: DialectName, probe?: () => number | string) {
    this.#db = db
    this.#enabled = dialect === 'sqlite'
    this.#probe = this.#enabled ? probe : undefined
  }

  /** Marks that this process may have changed the database. */
  bump(): void {
    this.#local++
  }

  /**
   * The current token, or undefined when changes cannot be detected (nothing
   * may be cached). Synchronous with a probe (a value, not a promise: a
   * caller that has one need not wait a turn); a promise without.
   */
  current(): string | undefined | Promise<string | undefined> {
    if (!this.#enabled) return undefined
    if (this.#probe) return `${this.#probe()}.${this.#local}`
    return this.#viaKysely()
  }

  async #viaKysely(): Promise<string> {
    const { rows } = await sql<{ data_version: number }>`PRAGMA data_version`.execute(this.#db)
    return `${rows[0]?.data_version}.${this.#local}`
  }
}

// The WAL-index header: two copies of 48 bytes at the start of the `-shm` file (https://sqlite.org/walformat.html).
const WAL_INDEX_HEADER_BYTES = 96
/** iVersion of the WAL-index header SQLite has written since 3.7.0 (the format is fixed: every version shares it). */
const WAL_INDEX_VERSION = 3007000

/**
 * A read-only descriptor of `path`, opened once per file for the life of
 * the process and never closed: closing any descriptor of a file releases
 * every POSIX lock this process holds on it, SQLite's included (its shared
 * lock on the `-shm` file is how another process knows the database is in
 * use: restore refuses, and a last connection's close would otherwise
 * checkpoint and delete the `-wal` and `-shm` under this one's feet).
 * test/store/database-generation.test.ts holds it.
 */
function heldOpen(path: string): number {
  const known = held.get(path)
  // The same file still (a path can be a new file, e.g. a test's): else a new descriptor, the old one kept too.
  if (known !== undefined && fstatSync(known).ino === statSync(path).ino) return known
  const fd = openSync(path, 'r')
  held.set(path, fd)
  return fd
}
const held = new Map<string, number>()

/**
 * The change signal of a SQLite database in WAL mode, read without SQLite:
 * one `pread` of the WAL-index header instead of `PRAGMA data_version`,
 * which takes and drops a read lock (two `fcntl` calls and a statement
 * step).
 *
 * Every commit, by any connection of any process, rewrites the WAL-index
 * header (its `iChange` counter moves, and `mxFrame` or the salts), and it
 * does so before the commit returns; any change of those bytes gives a new
 * value. A read that meets a header being written sees other bytes, which
 * is a new value too: a change is never missed, at most a cache is read
 * again once more than needed. The value is a counter of the changes seen,
 * prefixed `w`.
 *
 * WAL mode is checked once, here (the database header's format bytes 18
 * and 19): while the store's connection is open, SQLite refuses to take the
 * database out of WAL mode (that needs the exclusive lock the open
 * connection's shared one on the `-shm` file prevents; the test holds it),
 * so commits keep going through the WAL-index.
 *
 * Falls back to `fallback` (`PRAGMA data_version`, values prefixed `p`)
 * when the store is not a WAL file: in memory, no `-shm` file, a database
 * or a header of another shape.
 *
 * @param path the database file (Store.location.path), `:memory:` for none.
 */
export function walIndexProbe(path: string, fallback: () => number): () => number | string {
  const viaPragma = () => `p${fallback()}`
  if (path === ':memory:') return viaPragma
  let fd: number
  try {
    const header = Buffer.alloc(20)
    const read = readSync(heldOpen(path), header, 0, header.length, 0)
    if (read !== header.length || header[18] !== 2 || header[19] !== 2) return viaPragma
    fd = heldOpen(`${path}-shm`)
  } catch {
    return viaPragma
  }
  const seen = Buffer.alloc(WAL_INDEX_HEADER_BYTES)
  const now = Buffer.alloc(WAL_INDEX_HEADER_BYTES)
  const readHeader = (into: Buffer) => readSync(fd, into, 0, WAL_INDEX_HEADER_BYTES, 0) === WAL_INDEX_HEADER_BYTES
  // iVersion is written in the machine's byte order.
  if (!readHeader(seen) || (seen.readUInt32LE(0) !== WAL_INDEX_VERSION && seen.readUInt32BE(0) !== WAL_INDEX_VERSION)) {
    return viaPragma
  }
  let changes = 0
  let usable = true
  const probe = (): number | string => {
    // A short read (never seen): the pragma from then on, with values of its own.
    if (!usable || !readHeader(now)) {
      usable = false
      return viaPragma()
    }
    if (!now.equals(seen)) {
      now.copy(seen)
      changes++
    }
    return `w${changes}`
  }
  return probe
}
