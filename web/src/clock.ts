/**
 * A shared "now" for relative times. A signal, so every "3 minutes ago" on the
 * page re-renders together once a minute instead of each cell keeping a timer.
 */
import { signal } from '@preact/signals'

/** Milliseconds since epoch, refreshed by {@link startClock}. */
export const now = signal(Date.now())

/** Starts the once-a-minute tick; returns a function that stops it. Tests never start it. */
export function startClock(intervalMs = 60_000): () => void {
  const id = setInterval(() => {
    now.value = Date.now()
  }, intervalMs)
  return () => clearInterval(id)
}
