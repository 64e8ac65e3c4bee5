/**
 * Private spool files for a render: an input that cannot be read twice (a
 * pipe, a terminal) is copied into one while pass 1 reads it, and position
 * records that outgrow their buffer go to another. Each is unlinked as soon
 * as it is opened, so nothing remains on disk after close, an error or a kill.
 * They go to a memory file system when there is one (spoolDirectory).
 */
import { closeSync, mkdtempSync, openSync, rmdirSync, statfsSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../../errors.ts'
import { readFull, writeAllAt } from './fd.ts'

/**
 * Default of RENDER_SPOOL_LIMIT: most bytes of a piped input copied to the
 * spool (1 GiB). Without a limit `secrets render < /dev/zero` or a pipe that
 * never ends would fill the temporary directory, which is often RAM (tmpfs).
 */
export const DEFAULT_SPOOL_LIMIT = 1 << 30

const UNITS: Record<string, number> = { '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30, T: 2 ** 40 }

/**
 * Reads RENDER_SPOOL_LIMIT: a whole number of bytes, optionally followed by
 * K, M, G or T (powers of 1024), e.g. `256M`; unset or empty means
 * {@link DEFAULT_SPOOL_LIMIT}.
 * @throws ConfigError naming the variable when the value is not of that form.
 */
export function parseSpoolLimit(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_SPOOL_LIMIT
  const m = /^([0-9]+)([KMGT]?)$/i.exec(value.trim())
  const bytes = m ? Number(m[1]) * UNITS[m[2]!.toUpperCase()]! : NaN
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new ConfigError('RENDER_SPOOL_LIMIT must be a positive whole number of bytes, optionally with K, M, G or T (powers of 1024), e.g. 256M')
  }
  return bytes
}

/** A piped input longer than the spool limit: nothing was resolved or written. */
export class SpoolLimitError extends Error {
  readonly code = 'spool_limit'
  constructor(readonly limit: number) {
    super(
      `the input is longer than RENDER_SPOOL_LIMIT (${limit} bytes); a pipe, terminal or device is copied to a temporary file ` +
        'to be read twice: nothing was decrypted or written; render from a regular file or raise RENDER_SPOOL_LIMIT',
    )
  }
}

/** statfs type of tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994
/** The memory file system most Linux systems mount. */
const SHM_DIR = '/dev/shm'

/**
 * Where a spool goes: $TMPDIR when it is set (the operator chose), else
 * /dev/shm when it is a memory file system (tmpfs), else the system's
 * temporary directory. On a memory file system the spool never waits for
 * the disk: a piped 256 MiB input spooled to an ext4 /tmp made the kernel
 * throttle the render while it wrote the dirty pages back, for a file that
 * is unlinked and never needs to reach the disk.
 */
export function spoolDirectory(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.TMPDIR) return tmpdir()
  try {
    if (statfsSync(SHM_DIR).type === TMPFS_MAGIC) return SHM_DIR
  } catch {
    // No /dev/shm here.
  }
  return tmpdir()
}

/**
 * Opens a spool file in a fresh 0700 directory under `dir` and unlinks both
 * at once: the open descriptor keeps the data reachable, and nothing
 * remains on disk after close, an error or a kill.
 */
export function openSpool(dir: string = spoolDirectory()): number {
  const made = mkdtempSync(join(dir, 'secrets-render-'))
  const path = join(made, 'input')
  try {
    const fd = openSync(path, 'wx+', 0o600)
    unlinkSync(path)
    return fd
  } finally {
    try {
      unlinkSync(path)
    } catch {
      // Already unlinked above (the normal case), or never created.
    }
    rmdirSync(made)
  }
}

/**
 * Writes `chunk` at `at` in a spool; when a memory file system is full
 * (ENOSPC), moves what it holds to a new spool in the system's temporary
 * directory and goes on there. Returns the descriptor now in use.
 */
export function spoolAppend(fd: number, chunk: Uint8Array, at: number): number {
  try {
    writeAllAt(fd, chunk, at)
    return fd
  } catch (e) {
    if (!movable(e)) throw e
  }
  const disk = moveSpool(fd, at)
  try {
    writeAllAt(disk, chunk, at)
  } catch (e) {
    closeSync(disk)
    throw e
  }
  return disk
}

/** Whether a spool write failed because a memory file system is full, and the spool can move to the temporary directory. */
export function movable(err: unknown): boolean {
  return (err as { code?: string }).code === 'ENOSPC' && spoolDirectory() !== tmpdir()
}

/**
 * Copies the first `at` bytes of a spool to a new one in the system's
 * temporary directory and closes the old one. Returns the new descriptor.
 */
export function moveSpool(fd: number, at: number): number {
  const disk = openSpool(tmpdir())
  try {
    const buf = new Uint8Array(Math.min(1 << 20, Math.max(at, 1)))
    for (let done = 0; done < at; ) {
      const n = readFull(fd, buf.subarray(0, Math.min(buf.length, at - done)), done)
      if (n === 0) throw new Error('render: the spool is truncated')
      writeAllAt(disk, n === buf.length ? buf : buf.subarray(0, n), done)
      done += n
    }
  } catch (e) {
    closeSync(disk)
    throw e
  }
  closeSync(fd)
  return disk
}

/**
 * Position records that outgrew their buffer: appended to an unlinked 0600
 * spool file (opened on first use), read back in order in pass 2.
 */
export class RecordSpool {
  private fd = -1
  private size = 0

  /** Whether anything was written. */
  get used(): boolean {
    return this.fd >= 0
  }

  write(records: Int32Array): void {
    if (this.fd < 0) this.fd = openSpool()
    this.fd = spoolAppend(this.fd, new Uint8Array(records.buffer, records.byteOffset, records.byteLength), this.size)
    this.size += records.byteLength
  }

  /** Reads the records back, in order, into `into` (whole records per batch). */
  reader(into: Int32Array): () => Int32Array | undefined {
    const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength)
    let pos = 0
    return () => {
      if (pos >= this.size) return undefined
      const n = readFull(this.fd, bytes, pos)
      if (n === 0 || n % 8 !== 0) throw new Error('render: the record spool is truncated')
      pos += n
      return into.subarray(0, n >> 2)
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd)
    this.fd = -1
  }
}
