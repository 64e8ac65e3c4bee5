/**
 * Writes a regular file on the runtime's thread pool while the render goes
 * on: each piece is copied into one of a few reused buffers and written at
 * its own position (`pwrite`), so pieces may complete in any order; when no
 * buffer is free the piece is written synchronously, at its position too.
 * Every `syncStep` bytes an `fdatasync` also runs in the background, so the
 * disk writes the file back during the render and the final fsync has little
 * left to wait for. The first error is kept and thrown by {@link check} and
 * by the next {@link write}.
 *
 * Why: pass 2 of a sparse 256 MiB render spends about as long in `write`
 * (the kernel copying into fresh page-cache pages) as in reading and
 * copying the input; on the pool that runs on the other core.
 */
import { fdatasync, write as writeAsync, writeSync } from 'node:fs'

/** The calls a {@link BackgroundWriter} makes (tests replace them). */
export interface WriterCalls {
  /** One `pwrite` on the thread pool; resolves with the bytes written. */
  pwrite(fd: number, bytes: Uint8Array, position: number): Promise<number>
  /** `fdatasync` on the thread pool. */
  fdatasync(fd: number): Promise<void>
}

export const POOL_CALLS: WriterCalls = {
  pwrite: (fd, bytes, position) =>
    new Promise((resolve, reject) => writeAsync(fd, bytes, 0, bytes.length, position, (err, n) => (err ? reject(err) : resolve(n)))),
  fdatasync: (fd) => new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve()))),
}

/** Options of {@link BackgroundWriter}. */
export interface BackgroundWriterOptions {
  calls?: WriterCalls
  /** Bytes between background fdatasyncs (default 16 MiB). */
  syncStep?: number
  /** Reused buffers, i.e. most writes in flight (default 4). */
  buffers?: number
  /**
   * Size of each buffer, i.e. of each background write; a larger piece is
   * written synchronously (default 256 KiB: a dense 256 MiB render to a file
   * took 535 against 613 ms with 1 MiB, and 807 against 875 ms in another
   * round, medians of 10 and 6 alternated runs).
   */
  bufferSize?: number
}

export class BackgroundWriter {
  private readonly calls: WriterCalls
  private readonly syncStep: number
  private readonly bufferSize: number
  private readonly free: Uint8Array[] = []
  private readonly all: Uint8Array[] = []
  private inFlight = 0
  private syncing = false
  private unsynced = 0
  private position = 0
  private failure: { err: unknown } | null = null
  private waiters: (() => void)[] = []
  /** The buffer being filled, how much of it is, and the file position of its first byte. */
  private current: Uint8Array | undefined
  private filled = 0
  private currentAt = 0

  constructor(
    private readonly fd: number,
    options: BackgroundWriterOptions = {},
  ) {
    this.calls = options.calls ?? POOL_CALLS
    this.syncStep = options.syncStep ?? 16 << 20
    this.bufferSize = options.bufferSize ?? 1 << 18
    this.all = Array.from({ length: options.buffers ?? 4 }, () => new Uint8Array(0))
  }

  /** Bytes handed to {@link write} so far. */
  get bytesWritten(): number {
    return this.position
  }

  /** Whether a write or sync is still running (the event loop must turn for it to end). */
  get busy(): boolean {
    return this.inFlight > 0 || this.syncing
  }

  /**
   * Writes all of `bytes` at the next position: appended to the buffer being
   * filled, which is written in the background once full. `bytes` may be
   * reused once this returns.
   */
  write(bytes: Uint8Array): void {
    // A background write or sync failed: stop the render now rather than at the commit.
    this.check()
    const at = this.position
    this.position += bytes.length
    if (this.current !== undefined && this.filled + bytes.length > this.current.length) this.dispatch()
    if (this.current === undefined && bytes.length <= this.bufferSize) {
      this.current = this.takeBuffer()
      this.filled = 0
      this.currentAt = at
    }
    if (this.current === undefined) {
      // No free buffer, or a piece larger than one: written now, at its position.
      for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off, at + off)
      this.account(bytes.length)
      return
    }
    this.current.set(bytes, this.filled)
    this.filled += bytes.length
    if (this.filled === this.current.length) this.dispatch()
  }

  /** Starts the write of the buffer being filled. */
  private dispatch(): void {
    const buf = this.current
    if (buf === undefined) return
    this.current = undefined
    if (this.filled === 0) {
      this.free.push(buf)
      return
    }
    this.inFlight++
    this.writeFrom(buf, buf.subarray(0, this.filled), this.currentAt)
    this.account(this.filled)
  }

  /** Counts bytes handed to the kernel; every `syncStep` of them starts a background fdatasync. */
  private account(n: number): void {
    this.unsynced += n
    if (this.unsynced < this.syncStep || this.syncing) return
    this.unsynced = 0
    this.syncing = true
    this.calls.fdatasync(this.fd).then(
      () => this.done(() => (this.syncing = false)),
      (err: unknown) => this.done(() => ((this.syncing = false), this.fail(err))),
    )
  }

  /** Resolves once nothing is running (never rejects: see {@link check}). */
  async settle(): Promise<void> {
    if (this.failure === null) this.dispatch()
    while (this.busy) await new Promise<void>((resolve) => this.waiters.push(resolve))
  }

  /** Throws the first error of a background write or sync. */
  check(): void {
    if (this.failure !== null) throw this.failure.err
  }

  /** Overwrites the buffers (they held rendered output). */
  wipe(): void {
    for (const b of this.all) b.fill(0)
  }

  private takeBuffer(): Uint8Array | undefined {
    const reused = this.free.pop()
    if (reused !== undefined) return reused
    const k = this.all.findIndex((b) => b.length === 0)
    if (k < 0) return undefined
    this.all[k] = new Uint8Array(this.bufferSize)
    return this.all[k]
  }

  private writeFrom(buf: Uint8Array, rest: Uint8Array, at: number): void {
    this.calls.pwrite(this.fd, rest, at).then(
      (n) => {
        if (n > 0 && n < rest.length && this.failure === null) return this.writeFrom(buf, rest.subarray(n), at + n)
        this.done(() => {
          if (n <= 0 && rest.length > 0) this.fail(new Error('render: a write of OUT wrote nothing'))
          this.inFlight--
          this.free.push(buf)
        })
      },
      (err: unknown) =>
        this.done(() => {
          this.fail(err)
          this.inFlight--
          this.free.push(buf)
        }),
    )
  }

  private fail(err: unknown): void {
    this.failure ??= { err }
  }

  private done(update: () => void): void {
    update()
    if (!this.busy) for (const w of this.waiters.splice(0)) w()
  }
}
