/**
 * A counting semaphore: at most `permits` holders at once, the rest wait in
 * arrival order. Used to bound how many memory-hard password hashes run at
 * the same time (each scrypt call holds 128 MiB).
 */
export class Semaphore {
  #free: number
  readonly #waiting: Array<() => void> = []

  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1) throw new Error('Semaphore needs at least one permit')
    this.#free = permits
  }

  /** Runs `fn` once a permit is free and gives the permit back afterwards, whatever happens. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--
    else await new Promise<void>((resolve) => this.#waiting.push(resolve))
    try {
      return await fn()
    } finally {
      // Hand the permit straight to the next waiter, or put it back.
      const next = this.#waiting.shift()
      if (next) next()
      else this.#free++
    }
  }
}
