/**
 * Private spool files for a render: an input that cannot be read twice (a
 * pipe, a terminal) is copied into one while pass 1 reads it, and position
 * records that outgrow their buffer go to another. Each is unlinked as soon
 * as it is opened, so nothing remains on disk after close, an error or a kill.
 */
import { closeSync, mkdtempSync, openSync, rmdirSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readFull, writeAll } from './fd.ts'

/**
 * Opens a spool file in a fresh 0700 directory and unlinks both at once: the
 * open descriptor keeps the data reachable, and nothing remains on disk
 * after close, an error or a kill.
 */
export function openSpool(): number {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-render-'))
  const path = join(dir, 'input')
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
    rmdirSync(dir)
  }
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
    writeAll(this.fd, new Uint8Array(records.buffer, records.byteOffset, records.byteLength))
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
