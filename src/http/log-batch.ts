/** Most text held before it is written at once, whatever the turn: a burst of requests cannot grow it without bound. */
export const MAX_BATCHED_CHARS = 64 * 1024

/** A line sink that gathers lines and hands them on in one write. */
export interface BatchedLines {
  /** Takes one line (with its newline); it is written at the latest in the next turn of the event loop. */
  write(line: string): void
  /** Writes what is held now. */
  flush(): void
}

/**
 * Gathers log lines and writes them with one call to `sink` once the
 * current turn of the event loop is over (`schedule`, setImmediate by
 * default), or as soon as {@link MAX_BATCHED_CHARS} are held. The server
 * answers dozens of requests in a turn under load, and a write(2) for each
 * line cost more than building it (a profile of `GET /secrets` under wrk:
 * about a fifth of the server's CPU). Lines keep their order; none is
 * dropped, split or merged. What a process killed by SIGKILL had not
 * written yet (at most one turn's lines) is lost; on a normal exit the
 * caller flushes (log-format.ts does, on `exit`).
 */
export function batchedLines(sink: (text: string) => void, schedule: (run: () => void) => void = setImmediate): BatchedLines {
  let pending = ''
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending === '') return
    const text = pending
    pending = ''
    sink(text)
  }
  return {
    write(line) {
      pending += line
      if (pending.length >= MAX_BATCHED_CHARS) flush()
      else if (!scheduled) {
        scheduled = true
        schedule(flush)
      }
    },
    flush,
  }
}
