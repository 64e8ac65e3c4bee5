/**
 * `/settings/secrets`: the page an operator works in. It loads the list on
 * mount and forgets it on unmount (log out, session end), and opens one
 * drawer or dialog at a time for the actions.
 */
import { useSignal } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'
import type { ApiClient } from '../api.ts'
import type { SecretsModel } from '../models/secrets-model.ts'
import type { SessionModel } from '../models/session-model.ts'
import type { Secret } from '../types.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { AccessLogDrawer } from './access-log-drawer.tsx'
import { AddSecretDrawer } from './add-secret-drawer.tsx'
import { Brand } from './brand.tsx'
import { DeleteDialog } from './delete-dialog.tsx'
import { DescriptionDrawer } from './description-drawer.tsx'
import { EmptyState } from './empty-state.tsx'
import { Nav } from './nav.tsx'
import { ReplaceSecretDrawer } from './replace-secret-drawer.tsx'
import { RotateDialog } from './rotate-dialog.tsx'
import { type SecretAction, SecretsTable } from './secrets-table.tsx'
import { VersionsDrawer } from './versions-drawer.tsx'

/** Which drawer or dialog is open. */
type Open = { kind: 'add' } | { kind: SecretAction; secret: Secret } | null

/** Props of {@link SecretsScreen}. */
export interface SecretsScreenProps {
  api: ApiClient
  session: SessionModel
  secrets: SecretsModel
}

/** The secrets page with its header, list and dialogs. */
export function SecretsScreen({ api, session, secrets }: SecretsScreenProps) {
  const open = useSignal<Open>(null)
  const logoutError = useSignal<string | null>(null)
  const loggingOut = useSignal(false)
  const headingRef = useRef<HTMLHeadingElement>(null)

  useEffect(() => {
    void secrets.load()
    return () => secrets.reset()
  }, [])

  const close = () => {
    open.value = null
  }
  // When the row that opened a dialog is gone (deleted), focus lands on the page heading.
  const fallbackFocus = () => headingRef.current

  async function logout() {
    loggingOut.value = true
    const error = await session.logout()
    loggingOut.value = false
    logoutError.value = error ? error.message : null
  }

  const status = secrets.status.value
  const total = secrets.secrets.value.length
  const visible = secrets.visible.value
  const current = open.value

  return (
    <div class="page">
      <header class="topbar">
        <Brand />
        <Nav />
        <div class="topbar-user">
          <span class="muted">
            Signed in as <strong>{session.username}</strong>
          </span>
          <Button variant="ghost" size="small" busy={loggingOut.value} busyLabel="Logging out…" onClick={() => void logout()}>
            Log out
          </Button>
        </div>
      </header>

      <main class="content">
        <div class="page-head">
          <div>
            <h1 ref={headingRef} tabIndex={-1}>
              Secrets
            </h1>
            <p class="muted">
              Values are write-only: they are encrypted on arrival and never shown again. Reference them in artifacts
              as <code>{'${SECRET:NAME}'}</code>.
            </p>
          </div>
          {total > 0 ? (
            <Button variant="primary" onClick={() => (open.value = { kind: 'add' })}>
              Add secret
            </Button>
          ) : null}
        </div>

        {logoutError.value ? (
          <Banner tone="error" onDismiss={() => (logoutError.value = null)}>
            {logoutError}
          </Banner>
        ) : null}
        <div class="status-line" role="status">
          {secrets.notice.value ? (
            <div class="banner banner-notice">
              <div class="banner-text">{secrets.notice}</div>
              <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => secrets.dismissNotice()}>
                <span aria-hidden="true">×</span>
              </button>
            </div>
          ) : null}
        </div>
        {secrets.previousKeyCount.value > 0 ? (
          <Banner tone="warning">
            {secrets.previousKeyCount.value === 1
              ? '1 secret is still encrypted under a previous master key.'
              : `${secrets.previousKeyCount.value} secrets are still encrypted under a previous master key.`}{' '}
            Rotate them here, or all at once with <code>npx secrets rotate --all</code>.
          </Banner>
        ) : null}

        {status === 'error' ? (
          <div class="load-error">
            <Banner tone="error">{secrets.error}</Banner>
            <Button onClick={() => void secrets.load()}>Try again</Button>
          </div>
        ) : status !== 'ready' ? (
          <p class="muted" role="status">
            Loading secrets…
          </p>
        ) : total === 0 ? (
          <EmptyState onAdd={() => (open.value = { kind: 'add' })} />
        ) : (
          <section aria-label="Secret list">
            <div class="toolbar">
              <label class="filter">
                <span class="sr-only">Filter by name or description</span>
                <input
                  class="input"
                  type="search"
                  placeholder="Filter by name or description"
                  value={secrets.filter.value}
                  onInput={(event) => secrets.setFilter(event.currentTarget.value)}
                />
              </label>
              <span class="muted">
                {visible.length === total ? `${total} ${total === 1 ? 'secret' : 'secrets'}` : `${visible.length} of ${total}`}
              </span>
            </div>
            {visible.length === 0 ? (
              <p class="no-match">
                No secret matches “{secrets.filter}”.{' '}
                <button type="button" class="link-button" onClick={() => secrets.setFilter('')}>
                  Clear the filter
                </button>
              </p>
            ) : (
              <SecretsTable secrets={visible} onAction={(kind, secret) => (open.value = { kind, secret })} />
            )}
          </section>
        )}
      </main>

      {current?.kind === 'add' ? <AddSecretDrawer secrets={secrets} onClose={close} fallbackFocus={fallbackFocus} /> : null}
      {current?.kind === 'replace' ? (
        <ReplaceSecretDrawer secrets={secrets} secret={current.secret} onClose={close} fallbackFocus={fallbackFocus} />
      ) : null}
      {current?.kind === 'rotate' ? (
        <RotateDialog secrets={secrets} secret={current.secret} onClose={close} fallbackFocus={fallbackFocus} />
      ) : null}
      {current?.kind === 'delete' ? (
        <DeleteDialog secrets={secrets} secret={current.secret} onClose={close} fallbackFocus={fallbackFocus} />
      ) : null}
      {current?.kind === 'versions' ? (
        <VersionsDrawer api={api} secrets={secrets} secret={current.secret} onClose={close} fallbackFocus={fallbackFocus} />
      ) : null}
      {current?.kind === 'describe' ? (
        <DescriptionDrawer secrets={secrets} secret={current.secret} onClose={close} fallbackFocus={fallbackFocus} />
      ) : null}
      {current?.kind === 'log' ? (
        <AccessLogDrawer api={api} name={current.secret.name} onClose={close} fallbackFocus={fallbackFocus} />
      ) : null}
    </div>
  )
}
