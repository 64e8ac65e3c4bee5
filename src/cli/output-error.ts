/**
 * Standard output, or a render's OUT, could not be written: a full disk, a
 * reader that went away, an I/O error. Its own class so that the CLI reports
 * the output as the cause, never the database (a bare ENOSPC or EPIPE reads
 * as a database fault to storeFault), and never with a stack trace.
 *
 * The message names where and why in the system's terms; it never holds a
 * byte of what was being written.
 */

/** The reasons an operator can act on, in words; other errors keep the system's message. */
const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EPIPE: 'its reader closed it before everything was written',
  EIO: 'I/O error',
  EROFS: 'read-only file system',
  EBADF: 'it is not open for writing',
}

/** Options of an {@link OutputError}. */
export interface OutputErrorOptions {
  /** Text output (a listing, help, a confirmation): a reader that went away is not reported. */
  textOutput?: boolean
  /** What else the operator should know, in order (e.g. that OUT was left as it was). */
  notes?: readonly string[]
}

export class OutputError extends Error {
  /** The system's error code (ENOSPC, EPIPE, ...), when it gave one. */
  readonly code: string | undefined
  /** Where: `standard output` or `OUT PATH`. */
  readonly where: string
  /**
   * Report nothing and exit 0: the reader of text output (a listing, help)
   * went away (`secrets list | head -1`), as the standard tools do. Never for
   * values (`get`, `render`): a consumer that did not get them all must know.
   */
  readonly quiet: boolean
  private readonly options: OutputErrorOptions

  constructor(where: string, cause: unknown, options: OutputErrorOptions = {}) {
    const code = typeof (cause as { code?: unknown } | null)?.code === 'string' ? (cause as { code: string }).code : undefined
    const reason = code !== undefined && REASONS[code] ? `${REASONS[code]} (${code})` : ((cause as Error | null)?.message ?? String(cause))
    super([`cannot write ${where}: ${reason}`, ...(options.notes ?? [])].join('; '), { cause })
    this.name = 'OutputError'
    this.code = code
    this.where = where
    this.quiet = options.textOutput === true && code === 'EPIPE'
    this.options = options
  }

  /** The same error with one more note (e.g. that the reads were audited). */
  with(note: string): OutputError {
    return new OutputError(this.where, this.cause, { ...this.options, notes: [...(this.options.notes ?? []), note] })
  }
}

/**
 * Runs `write`, turning any error it throws into an {@link OutputError}
 * naming `where` (one already is stays as it is).
 */
export function writingTo<T>(where: string, write: () => T, options?: OutputErrorOptions): T {
  try {
    return write()
  } catch (err) {
    throw err instanceof OutputError ? err : new OutputError(where, err, options)
  }
}
