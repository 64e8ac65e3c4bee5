/**
 * Turning an absolute byte offset into the 1-based line and column that
 * `MalformedPlaceholderError` reports.
 *
 * Lines count `\n` bytes (a `\r` before it is part of the previous line's
 * text). Columns count BYTES from the start of the line, starting at 1: for
 * ASCII lines that is the character column; for a line holding multibyte
 * UTF-8 or invalid bytes it is the byte position, which is well defined where
 * a character column would not be.
 *
 * Counting newlines costs about as much as copying the text, so the hot path
 * never does it: a position is computed only when a placeholder is malformed.
 * Whole buffers and files are searched then ({@link locateInBuffer}); a
 * stream, whose earlier chunks are gone, keeps a running count
 * ({@link LineTracker}).
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */

/** A 1-based line and byte column. */
export interface Position {
  line: number
  column: number
}

/**
 * Maps an absolute byte offset (0-based, from the start of the input) to its
 * position. Called by the scanner only on a malformed placeholder, and only
 * for an offset it has already been given the bytes of.
 */
export type Locate = (offset: number) => Position

const NL = 10

/** Counts `\n` in `buf[start, end)` and finds the last one (-1 when none). */
export function countNewlines(buf: Uint8Array, start: number, end: number): { count: number; last: number } {
  let count = 0
  let last = -1
  let p = start
  for (;;) {
    p = buf.indexOf(NL, p)
    if (p < 0 || p >= end) break
    count++
    last = p
    p++
  }
  return { count, last }
}

/** The position of byte `offset` of a whole buffer. */
export function locateInBuffer(buf: Uint8Array, offset: number): Position {
  const { count, last } = countNewlines(buf, 0, offset)
  return { line: count + 1, column: offset - last }
}

/**
 * Running newline count over a sequence of chunks, for inputs that cannot be
 * read again (streams). The scanner calls {@link begin} before scanning a
 * chunk and {@link end} after, so the count is taken while the chunk is still
 * intact even when the caller reuses its buffer.
 */
export class LineTracker {
  private lines = 0
  /** Absolute offset of the last `\n` before {@link chunkStart}, -1 if none. */
  private lastNewline = -1
  private chunk: Uint8Array | undefined
  private chunkStart = 0

  /** Announces the chunk about to be scanned; it starts at absolute `offset`. */
  begin(chunk: Uint8Array, offset: number): void {
    this.chunk = chunk
    this.chunkStart = offset
  }

  /** The announced chunk has been scanned: fold its newlines into the count. */
  end(): void {
    const chunk = this.chunk
    if (chunk === undefined) return
    const { count, last } = countNewlines(chunk, 0, chunk.length)
    this.lines += count
    if (last >= 0) this.lastNewline = this.chunkStart + last
    this.chunk = undefined
  }

  /**
   * Position of an absolute offset inside the current chunk or before it.
   * For an offset before the current chunk (a placeholder carried over a
   * chunk boundary) no newline can lie between it and the chunk start: a
   * carried tail is `$`, `${SECRET:` and name bytes only.
   */
  readonly locate: Locate = (offset) => {
    const chunk = this.chunk
    if (chunk !== undefined && offset >= this.chunkStart) {
      const { count, last } = countNewlines(chunk, 0, offset - this.chunkStart)
      const lastAbs = last >= 0 ? this.chunkStart + last : this.lastNewline
      return { line: this.lines + count + 1, column: offset - lastAbs }
    }
    return { line: this.lines + 1, column: offset - this.lastNewline }
  }
}
