/**
 * "3 days ago" from an ISO time. Hand-written in English (not
 * Intl.RelativeTimeFormat) so the text is the same in every browser and test
 * runtime; the exact time is always shown beside it in a `<time>` title.
 */

const UNITS: Array<[unit: string, seconds: number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
]

/** Relative English phrase for `iso` seen at `now` (ms since epoch); "just now" under a minute. */
export function formatRelativeTime(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return 'unknown time'
  const diff = Math.round((now - then) / 1000)
  const abs = Math.abs(diff)
  if (abs < 60) return 'just now'
  for (const [unit, size] of UNITS) {
    if (abs >= size) {
      const n = Math.floor(abs / size)
      const phrase = `${n} ${unit}${n === 1 ? '' : 's'}`
      // Clocks drift: a server time slightly ahead reads "in 2 minutes", not a negative age.
      return diff >= 0 ? `${phrase} ago` : `in ${phrase}`
    }
  }
  return 'just now'
}

/** Exact time for a tooltip, in UTC so every operator reads the same thing the server logged. */
export function formatExactTime(iso: string): string {
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return iso
  return new Date(then).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')
}
