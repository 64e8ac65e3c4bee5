/**
 * Progress of a long job: a redrawn bar on a terminal, one plain line per
 * step otherwise (logs, CI), and the rate and time left from the elapsed time.
 */
export class Progress {
  readonly #total: number
  readonly #write: (text: string) => void
  readonly #tty: boolean
  readonly #started = performance.now()
  #done = 0

  constructor(total: number, write: (text: string) => void, tty: boolean) {
    this.#total = total
    this.#write = write
    this.#tty = tty
  }

  /** Records `n` more items done; `label` names the step for the plain form. */
  advance(n: number, label: string): void {
    this.#done += n
    const seconds = (performance.now() - this.#started) / 1000
    const rate = seconds > 0 ? this.#done / seconds : 0
    const left = rate > 0 ? Math.max(0, (this.#total - this.#done) / rate) : 0
    const figures = `${this.#done}/${this.#total}  ${Math.round(rate)} rows/s  ${formatSeconds(left)} left`
    if (this.#tty) {
      const width = 30
      const filled = this.#total > 0 ? Math.min(width, Math.round((this.#done / this.#total) * width)) : width
      this.#write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${figures}\u001b[K`)
    } else {
      this.#write(`${label}: ${figures}\n`)
    }
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.#tty) this.#write('\n')
  }
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m${String(Math.ceil(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}
