/**
 * Where pass 2 of a render writes, and the promise that a failed render
 * writes nothing to an OUT path: the output goes to a 0600 temporary file
 * beside OUT, which is fsynced and renamed over OUT only on success, and
 * unlinked on any failure.
 */
import { basename, dirname, join } from 'node:path'
import { closeSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { STDOUT } from './fd.ts'

/** Where pass 2 writes, and how to finish or undo it. */
export interface Destination {
  fd: number
  /** Makes the output visible (rename over OUT); called once, after everything succeeded. */
  commit(): void
  /** Undoes everything (unlinks the temporary file); never throws. */
  abort(): void
}

/**
 * Opens where pass 2 writes.
 * - stdout: written as it goes.
 * - an existing OUT that is not a regular file (`/dev/null`, `/dev/stdout`, a
 *   FIFO): written directly, like stdout. A temporary file renamed over it
 *   would replace the device or pipe itself.
 * - otherwise: a temporary file beside OUT (beside the file a symlinked OUT
 *   points to, so the link survives), renamed over it on success.
 */
export function openDestination(path: string | null): Destination {
  if (path === null) return { fd: STDOUT, commit() {}, abort() {} }
  let target = path
  try {
    if (!statSync(path).isFile()) {
      const fd = openSync(path, 'w')
      return { fd, commit: () => closeSync(fd), abort: () => closeSync(fd) }
    }
    target = realpathSync(path)
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT') throw err
  }
  const tmp = join(dirname(target), `.${basename(target)}.${randomHex(6)}.tmp`)
  // 0600 whatever OUT had before: the rendered file holds secret values.
  const fd = openSync(tmp, 'wx', 0o600)
  let open = true
  return {
    fd,
    commit() {
      fsyncSync(fd)
      closeSync(fd)
      open = false
      renameSync(tmp, target)
    },
    abort() {
      if (open) closeSync(fd)
      open = false
      try {
        unlinkSync(tmp)
      } catch {
        // Best effort: the original error is the one to report.
      }
    },
  }
}

/** `bytes` random bytes as hex (Web Crypto: loading node:crypto costs a few ms of start-up). */
function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes))
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}
