import { chmodSync, closeSync, existsSync, fsyncSync, openSync, unlinkSync } from 'node:fs'
import { SecretsError } from '../errors.ts'
import { withSqliteHandle } from './sqlite-files.ts'

/** A backup that cannot be made: the message says why; nothing is left behind. */
export class BackupError extends SecretsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options)
  }
}

/**
 * Writes a consistent copy of the SQLite database at `path` to `out` while
 * other processes keep using it: `VACUUM INTO`, one read transaction, so the
 * copy is a snapshot of committed data (the WAL's included) and a single
 * self-contained file (no `-wal` of its own). `out` is created first,
 * exclusively and with mode 0600, so an existing file is never overwritten
 * and the copy is never readable by others, whatever the umask.
 * @throws BackupError when `path` does not exist or `out` does; the partial copy is removed on failure.
 */
export async function backupSqlite(path: string, out: string): Promise<void> {
  if (!existsSync(path)) throw new BackupError(`there is no database at ${path} (DATABASE_URL) to back up`)
  let fd: number
  try {
    fd = openSync(out, 'wx', 0o600)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new BackupError(`${out} exists: a backup never overwrites a file; name a new one`)
    throw new BackupError(`cannot create ${out} (${code ?? 'error'})`, { cause: e })
  }
  closeSync(fd)
  try {
    chmodSync(out, 0o600)
    // VACUUM INTO takes an empty existing file, and keeps its mode.
    await withSqliteHandle(path, (handle) => handle.prepare('VACUUM INTO ?').run([out]))
    const done = openSync(out, 'r')
    try {
      fsyncSync(done)
    } finally {
      closeSync(done)
    }
  } catch (e) {
    unlinkSync(out)
    throw e
  }
}
