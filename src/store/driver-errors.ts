import { isUnavailable } from './open-errors.ts'

/**
 * Whether a driver error is a unique-constraint violation: SQLite (bun:sqlite,
 * better-sqlite3) reports `SQLITE_CONSTRAINT_PRIMARYKEY` / `_UNIQUE`,
 * PostgreSQL SQLSTATE 23505.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const code = (error as { code?: unknown }).code
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}

/** A database fault that is the environment's, not a bug: what to tell the operator. */
export interface StoreFault {
  code: 'store_busy' | 'store_full' | 'store_readonly' | 'store_unavailable'
  message: string
}

/**
 * Recognises the faults an operator can act on: another writer holding the
 * lock past the busy timeout (SQLITE_BUSY/LOCKED, PostgreSQL lock timeout),
 * a full disk, a read-only database file, a database that does not answer
 * (connection refused or lost, login refused: open-errors.ts). Undefined for anything else.
 *
 * A full disk is SQLITE_FULL, PostgreSQL 53100 disk_full, an ENOSPC from the
 * file system, and SQLITE_IOERR_SHMSIZE: SQLite could not grow the WAL index
 * (`-shm`), which on a full disk is what opening the store, or any read or
 * write that maps the index, reports ("disk I/O error"). Other SQLITE_IOERR
 * codes stay unrecognised: the drivers do not pass errno on, and a real I/O
 * error must not be called a full disk.
 */
export function storeFault(error: unknown): StoreFault | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = String((error as { code?: unknown }).code ?? '')
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === '55P03') {
    return { code: 'store_busy', message: 'the database is busy: another process held its write lock past the busy timeout; nothing was changed, try again' }
  }
  if (code.startsWith('SQLITE_FULL') || code === '53100' || code === 'SQLITE_IOERR_SHMSIZE' || code === 'ENOSPC') {
    return { code: 'store_full', message: 'the database disk is full; nothing was changed: free space and try again' }
  }
  if (isUnavailable(error)) {
    return { code: 'store_unavailable', message: 'the database does not answer (down, unreachable, or refusing the login); nothing was changed' }
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return { code: 'store_readonly', message: 'the database is read-only (file permissions or a read-only mount); nothing was changed' }
  }
  return undefined
}
