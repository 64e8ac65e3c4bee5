/**
 * Where rendered bytes go. The substituter writes byte ranges (a literal run
 * of the input, or a secret value) to a {@link ByteSink}; two sinks cover the
 * callers: {@link BufferedSink} coalesces small pieces into one reused buffer
 * for synchronous writers (the CLI writes each full buffer to a file
 * descriptor), {@link CollectingSink} keeps views and joins them on demand
 * (strings and Web Streams).
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */

/** Receives output as byte ranges; `buf[start, end)` is valid only during the call. */
export interface ByteSink {
  write(buf: Uint8Array, start: number, end: number): void
}

/** Pieces shorter than this are copied with a loop: cheaper than making a subarray view for `set`. */
const SMALL_COPY = 32

/**
 * Coalesces writes into one buffer and hands it to `flush` when full, so a
 * dense render makes one write per buffer instead of two per placeholder.
 * Pieces of at least `direct` bytes skip the copy and go straight to `flush`
 * (after whatever is pending, so order is kept).
 *
 * Why the shared-buffer path: copying a short piece costs about 11 ns with
 * `copyWithin` inside one ArrayBuffer, against about 37 ns for
 * `set(src.subarray(...))`, which allocates a view per piece (measured on
 * Bun). When the output buffer is a view of a larger ArrayBuffer that also
 * holds the input chunk and the values (the CLI lays them out so), every
 * piece is copied with `copyWithin`.
 */
export class BufferedSink implements ByteSink {
  private readonly buf: Uint8Array
  /** The whole ArrayBuffer behind `buf`, and where `buf` starts in it. */
  private readonly arena: ArrayBufferLike
  private readonly whole: Uint8Array
  private readonly base: number
  private used = 0
  private readonly direct: number
  private readonly onFlush: (bytes: Uint8Array) => void
  /** Total bytes written through this sink. */
  bytesOut = 0

  /**
   * @param onFlush receives the coalesced bytes; they are valid only during
   *   the call (the buffer is reused).
   * @param buf the output buffer, or its size. Pieces from arrays over the
   *   same ArrayBuffer (outside `buf`) are copied the fast way.
   */
  constructor(onFlush: (bytes: Uint8Array) => void, buf: Uint8Array | number = 1 << 20, direct = 1 << 16) {
    this.buf = typeof buf === 'number' ? new Uint8Array(buf) : buf
    this.arena = this.buf.buffer
    this.whole = new Uint8Array(this.arena)
    this.base = this.buf.byteOffset
    this.onFlush = onFlush
    this.direct = Math.min(direct, this.buf.length)
  }

  write(src: Uint8Array, start: number, end: number): void {
    const len = end - start
    this.bytesOut += len
    let used = this.used
    if (used + len > this.buf.length) {
      this.flush()
      used = 0
    }
    if (len >= this.direct) {
      if (used > 0) this.flush()
      this.onFlush(src.subarray(start, end))
      return
    }
    if (src.buffer === this.arena) {
      const from = src.byteOffset + start
      this.whole.copyWithin(this.base + used, from, from + len)
    } else if (len < SMALL_COPY) {
      const buf = this.buf
      for (let k = 0; k < len; k++) buf[used + k] = src[start + k]!
    } else {
      this.buf.set(src.subarray(start, end), used)
    }
    this.used = used + len
  }

  /** Hands pending bytes to `onFlush`. Call once after the last write. */
  flush(): void {
    if (this.used === 0) return
    const n = this.used
    this.used = 0
    this.onFlush(this.buf.subarray(0, n))
  }
}

/**
 * Keeps views of the written ranges and joins them into a fresh array on
 * {@link take}. The caller must keep the viewed bytes intact until then
 * (true for a whole input buffer and for one stream chunk).
 */
export class CollectingSink implements ByteSink {
  private pieces: Uint8Array[] = []
  private length = 0

  write(buf: Uint8Array, start: number, end: number): void {
    this.pieces.push(buf.subarray(start, end))
    this.length += end - start
  }

  /** Bytes written since the last take, as one new array the caller owns. */
  take(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.length)
    let o = 0
    for (const piece of this.pieces) {
      out.set(piece, o)
      o += piece.length
    }
    this.pieces = []
    this.length = 0
    return out
  }

  /** Bytes written since the last take. */
  get pending(): number {
    return this.length
  }
}
