/**
 * The banner that tells the operator some secrets are still under a previous
 * master key, with "Rotate all N" next to it: one rotate request after the
 * other (secrets-model.ts), a progress bar while it runs, and a report of any
 * that failed once it is done.
 */
import type { SecretsModel } from '../models/secrets-model.ts'
import { Button } from '../ui/button.tsx'

/** Shown while any secret is under a previous key, or while a rotation report is open. */
export function RotateAllBanner({ secrets }: { secrets: SecretsModel }) {
  const stale = secrets.previousKeyCount.value
  const run = secrets.rotation.value
  if (stale === 0 && run === null) return null
  return (
    <div class="banner banner-warning rotate-all" role="region" aria-label="Previous master key">
      <div class="banner-text">
        {stale > 0 ? (
          <p>
            {stale === 1 ? '1 secret is' : `${stale} secrets are`} still encrypted under a previous master key. Rotate
            {stale === 1 ? ' it' : ' them'} here, or from a shell with <code>npx secrets rotate --all</code>.
          </p>
        ) : null}
        {run ? (
          <div class="rotate-progress">
            <progress max={run.total} value={run.done} aria-label="Rotation progress" />
            <span role="status">
              {run.running
                ? `Rotating ${Math.min(run.done + 1, run.total)} of ${run.total}…`
                : `Done: ${run.done - run.failed.length} of ${run.total} re-encrypted${run.failed.length ? `, ${run.failed.length} failed` : ''}.`}
            </span>
            {run.failed.length > 0 ? (
              <ul class="rotate-failures">
                {run.failed.map((f) => (
                  <li key={f.name}>
                    <code>{f.name}</code>: {f.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </div>
      {stale > 0 ? (
        <Button variant="primary" size="small" busy={run?.running ?? false} busyLabel="Rotating…" onClick={() => void secrets.rotateAll()}>
          {stale === 1 ? 'Rotate it' : `Rotate all ${stale}`}
        </Button>
      ) : null}
      {run && !run.running ? (
        <button type="button" class="icon-button" aria-label="Dismiss the rotation report" onClick={() => secrets.dismissRotation()}>
          <span aria-hidden="true">×</span>
        </button>
      ) : null}
    </div>
  )
}
