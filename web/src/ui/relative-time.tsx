/**
 * "3 days ago" in a `<time>` element: machine-readable datetime, exact UTC
 * time on hover, and re-rendered by the shared clock once a minute.
 */
import { formatExactTime, formatRelativeTime } from '../relative-time.ts'
import { now } from '../clock.ts'

/** A relative time with the exact ISO time in `datetime` and `title`. */
export function RelativeTime({ iso }: { iso: string }) {
  // Reading the clock subscribes this cell to its ticks; the text itself uses
  // the real time, so a row rendered between two ticks is not a minute off.
  void now.value
  return (
    <time dateTime={iso} title={formatExactTime(iso)}>
      {formatRelativeTime(iso, Date.now())}
    </time>
  )
}
