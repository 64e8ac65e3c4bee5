/**
 * "3 days ago" in a `<time>` element: machine-readable datetime, exact UTC
 * time on hover, and re-rendered by the shared clock once a minute.
 */
import { formatExactTime, formatRelativeTime } from '../relative-time.ts'
import { now } from '../clock.ts'

/** A relative time with the exact ISO time in `datetime` and `title`. */
export function RelativeTime({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatExactTime(iso)}>
      {formatRelativeTime(iso, now.value)}
    </time>
  )
}
