/**
 * A secret's version history (`GET /secrets/{name}/versions`, metadata
 * only: the browser never receives a value) and rollback: an older
 * version's value becomes a new current version after a confirmation in
 * the drawer itself (no second modal on top of this one). The rollback
 * carries `If-Match` with the version shown as current, so a change made
 * meanwhile is reported, and the history read again, instead of rolled over.
 */
import { useSignal } from '@preact/signals'
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks'
import { ApiError } from '../api-error.ts'
import type { ApiClient } from '../api.ts'
import type { SecretsModel } from '../models/secrets-model.ts'
import { formatExactTime } from '../relative-time.ts'
import type { Secret, SecretVersion } from '../types.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { Drawer } from '../ui/drawer.tsx'
import { RelativeTime } from '../ui/relative-time.tsx'

/** Props of {@link VersionsDrawer}. */
export interface VersionsDrawerProps {
  api: ApiClient
  secrets: SecretsModel
  secret: Secret
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
}

/** The history drawer of one secret. */
export function VersionsDrawer({ api, secrets, secret, onClose, fallbackFocus }: VersionsDrawerProps) {
  const versions = useSignal<SecretVersion[] | null>(null)
  /** the version the history says is current: what a rollback's If-Match sends */
  const current = useSignal<number | undefined>(undefined)
  const error = useSignal<string | null>(null)
  const confirming = useSignal<number | null>(null)
  const busy = useSignal(false)
  /** what the last rollback did, said in the drawer itself (the page's notices are behind it, inert) */
  const done = useSignal<string | null>(null)
  const cancelRef = useRef<HTMLDivElement>(null)

  /** Reads the history; `keepError` leaves a rollback's refusal on screen while the history is read again. */
  async function load(keepError = false) {
    if (!keepError) error.value = null
    try {
      const history = await api.listVersions(secret.name)
      current.value = history.current_version
      versions.value = [...history.versions].sort((a, b) => b.version - a.version)
    } catch (e) {
      if (!(e instanceof ApiError)) throw e
      error.value = e.message
    }
  }
  useEffect(() => {
    void load()
  }, [])

  const list = versions.value

  async function rollback(version: number) {
    busy.value = true
    error.value = null
    done.value = null
    try {
      const now = await secrets.rollback(secret.name, version, current.value)
      done.value = `Rolled back: version ${now.version} holds the value of version ${version}.`
      confirming.value = null
      await load()
    } catch (e) {
      if (!(e instanceof ApiError)) throw e
      error.value = e.message
      confirming.value = null
      await load(true)
    } finally {
      busy.value = false
    }
  }

  const target = confirming.value
  // The question takes the focus when it appears (Cancel first: Enter never rolls back by reflex), in the
  // same commit: an effect after paint left a moment in which the focus was still on the button clicked.
  useLayoutEffect(() => {
    if (target !== null) cancelRef.current?.querySelector('button')?.focus()
  }, [target])
  return (
    <Drawer
      title="Version history"
      subtitle={<code>{secret.name}</code>}
      onClose={onClose}
      fallbackFocus={fallbackFocus}
      wide
      footer={<Button onClick={onClose}>Close</Button>}
    >
      {error.value ? <Banner tone="error">{error}</Banner> : null}
      {done.value ? <Banner tone="notice">{done}</Banner> : null}
      {target !== null ? (
        <section class="token-box" aria-labelledby="rollback-title" role="group">
          <h3 id="rollback-title">Roll back to version {target}?</h3>
          <p>
            The value of version {target} becomes the current value, as a new version{current.value === undefined ? '' : ` ${current.value + 1}`}. The
            current value stays in the history. Renders use the rolled-back value from the next request on.
          </p>
          <div class="client-actions" ref={cancelRef}>
            <Button onClick={() => (confirming.value = null)} disabled={busy.value}>
              Cancel
            </Button>
            <Button variant="danger" busy={busy.value} busyLabel="Rolling back…" onClick={() => void rollback(target)}>
              Roll back
            </Button>
          </div>
        </section>
      ) : null}
      {list === null ? (
        error.value ? (
          <Button onClick={() => void load()}>Try again</Button>
        ) : (
          <p class="muted" role="status">
            Loading the history…
          </p>
        )
      ) : list.length === 0 ? (
        <p class="muted">No versions recorded.</p>
      ) : (
        <table class="table log-table versions-table">
          <caption class="sr-only">Versions of {secret.name}, newest first. Values are never shown.</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Made</th>
              <th scope="col">Key</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((v) => (
              <tr key={v.version} data-version={v.version}>
                <td>
                  {v.version} {v.current ? <span class="badge badge-ok">current</span> : null}
                </td>
                <td class="cell-time">
                  <RelativeTime iso={v.created_at} />
                  <span class="abs-time">{formatExactTime(v.created_at)}</span>
                </td>
                <td>
                  <code class="key-id">{v.key_id}</code> {v.key_current ? null : <span class="badge badge-warn">previous key</span>}
                </td>
                <td class="cell-actions">
                  {!v.current ? (
                    <Button size="small" variant="ghost" disabled={target !== null} aria-label={`Roll back to version ${v.version}`} onClick={() => (confirming.value = v.version)}>
                      Roll back
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Drawer>
  )
}
