/**
 * The warning shown before the session ends: how long is left, "Stay signed
 * in" (one request moves the server's idle clock on) and "Log out". It is a
 * polite status, not a dialog: it never takes focus from a half-typed form.
 */
import { useSignal } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import type { SessionModel } from '../models/session-model.ts'
import { Button } from '../ui/button.tsx'

/** "in 2 minutes", "in 40 seconds", "now". */
function timeLeft(ms: number): string {
  if (ms <= 0) return 'now'
  const s = Math.ceil(ms / 1000)
  if (s < 60) return `in ${s} second${s === 1 ? '' : 's'}`
  const m = Math.ceil(s / 60)
  return `in ${m} minute${m === 1 ? '' : 's'}`
}

/** Shows itself while `session.warning` holds. */
export function SessionWarning({ session, onLogout }: { session: SessionModel; onLogout: () => void }) {
  const tick = useSignal(0)
  const busy = useSignal(false)
  const warning = session.warning.value
  useEffect(() => {
    if (!warning) return
    const id = setInterval(() => (tick.value += 1), 1000)
    return () => clearInterval(id)
  }, [warning])
  void tick.value
  const at = session.expiresAt.value
  return (
    <div class="session-warning-region" role="status">
      {warning && at !== null ? (
        <div class="banner banner-warning session-warning">
          <div class="banner-text">
            {session.atLimit.value
              ? `Your session reaches its time limit ${timeLeft(at - Date.now())}; log in again then.`
              : `Your session ends ${timeLeft(at - Date.now())} unless you use the page.`}
          </div>
          {session.atLimit.value ? null : (
          <Button
            size="small"
            variant="primary"
            busy={busy.value}
            busyLabel="Extending…"
            onClick={async () => {
              busy.value = true
              await session.extend()
              busy.value = false
            }}
          >
            Stay signed in
          </Button>
          )}
          <Button size="small" variant="ghost" onClick={onLogout}>
            Log out
          </Button>
        </div>
      ) : null}
    </div>
  )
}
