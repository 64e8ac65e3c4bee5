/**
 * SIGTERM and SIGINT for the short commands (all but `serve`, which drains
 * its own requests): the default action would kill the process mid-write
 * and leave a temporary file beside OUT, or stop `rotate --all` between a
 * decryption and its commit. Instead the signal is noted, the current unit
 * of work finishes (a render, a batch), and the command ends cleanly.
 */
let requested: string | undefined

/** The signal received, if any. Long loops check it between units of work. */
export function shutdownRequested(): string | undefined {
  return requested
}

/** Installs the handlers; `say` reports the signal once. */
export function deferShutdown(say: (text: string) => void): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (requested) return
      requested = signal
      say(`secrets: ${signal}: finishing the current work before exiting\n`)
    })
  }
}
