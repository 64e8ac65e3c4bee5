/**
 * `/settings/secrets`: the page an operator works in, inside the AppShell.
 * It loads the list on mount and forgets it on unmount (log out, session
 * end), mirrors filter and sort in the URL, and opens one drawer or dialog
 * at a time. A form open when the session ends comes back, name and
 * description filled (never the value), after the same operator logs in.
 */
import { useSignal } from '@preact/signals'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { ApiClient } from '../api.ts'
import { formatView, parseView } from '../models/list-view.ts'
import type { SecretsModel } from '../models/secrets-model.ts'
import type { FormDraft, SessionModel } from '../models/session-model.ts'
import { secretReference } from '../secret-rules.ts'
import type { Secret } from '../types.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { CopyButton } from '../ui/copy-button.tsx'
import { AddSecretDrawer } from './add-secret-drawer.tsx'
import { DeleteDialog } from './delete-dialog.tsx'
import { EmptyState } from './empty-state.tsx'
import { AccessLogDrawer, DescriptionDrawer, VersionsDrawer } from './lazy-screens.tsx'
import { PageHead } from './page-head.tsx'
import { ReplaceSecretDrawer } from './replace-secret-drawer.tsx'
import { RotateAllBanner } from './rotate-all-banner.tsx'
import { RotateDialog } from './rotate-dialog.tsx'
import { SecretDetailsDrawer } from './secret-details-drawer.tsx'
import { type SecretAction, SecretsTable } from './secrets-table.tsx'

/** Which drawer or dialog is open. */
type Open = { kind: 'add' } | { kind: SecretAction; secret: Secret } | null

/** Props of {@link SecretsScreen}. */
export interface SecretsScreenProps {
  api: ApiClient
  session: SessionModel
  secrets: SecretsModel
}

/** The secrets page: list, notices and dialogs. */
export function SecretsScreen({ api, session, secrets }: SecretsScreenProps) {
  const open = useSignal<Open>(null)
  const headingRef = useRef<HTMLHeadingElement>(null)
  /** the secret the last drawer or dialog was about (it is closed by the time focus needs a place) */
  const lastName = useRef<string | null>(null)

  // The view comes from the URL before the first render, so that render never writes a default view back.
  useState(() => secrets.setView(parseView(location.search)))
  useEffect(() => {
    void secrets.load().then(() => {
      const draft = session.draft.value
      if (!draft) return
      const secret = draft.kind === 'replace' ? secrets.secrets.value.find((s) => s.name === draft.secret) : undefined
      if (draft.kind === 'add') open.value = { kind: 'add' }
      else if (secret) open.value = { kind: 'replace', secret }
      else session.draft.value = null
    })
    return () => secrets.reset()
  }, [])

  const view = secrets.view.value
  useEffect(() => {
    const search = formatView(view, location.search)
    if (search !== location.search) history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`)
  }, [view])

  const close = () => {
    open.value = null
    session.draft.value = null
  }
  const openAction = (kind: SecretAction | 'add', secret?: Secret) => {
    if (kind === 'add' || kind === 'replace') session.draft.value = { kind, secret: secret?.name, name: '', description: secret?.description ?? '' }
    lastName.current = secret?.name ?? null
    open.value = kind === 'add' ? { kind } : { kind, secret: secret! }
  }
  // Back to the row's name when the opener is gone (an action chosen in the details drawer), else the heading.
  const fallbackFocus = () => {
    const name = lastName.current
    const row = name ? document.querySelector<HTMLElement>(`tr[data-secret="${CSS.escape(name)}"] .name-button`) : null
    return row ?? headingRef.current
  }
  const keepDraft = (update: Partial<FormDraft>) => {
    if (session.draft.value) session.draft.value = { ...session.draft.value, ...update }
  }
  const onCopied = (ok: boolean, text: string) =>
    secrets.say(ok ? `Copied ${text} to the clipboard.` : `The browser did not allow copying. The reference is ${text}`)

  const status = secrets.status.value
  const total = secrets.secrets.value.length
  const visible = secrets.visible.value
  const current = open.value
  const draft = session.draft.value

  return (
    <>
      <PageHead
        title="Secrets"
        headingRef={headingRef}
        lead={
          <>
            Values are write-only: they are encrypted on arrival and never shown again. Reference them in artifacts as{' '}
            <code>{'${SECRET:NAME}'}</code>.
          </>
        }
        action={
          total > 0 ? (
            <Button variant="primary" onClick={() => openAction('add')}>
              Add secret
            </Button>
          ) : null
        }
      />

      <div class="toast-region" role="status">
        {secrets.notice.value ? (
          <div class="banner banner-notice toast">
            <div class="banner-text">{secrets.notice}</div>
            {secrets.added.value ? (
              <CopyButton text={secretReference(secrets.added.value)} label="Copy reference" onCopied={onCopied} />
            ) : null}
            <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => secrets.dismissNotice()}>
              <span aria-hidden="true">×</span>
            </button>
          </div>
        ) : null}
      </div>
      <RotateAllBanner secrets={secrets} />

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
        <EmptyState onAdd={() => openAction('add')} />
      ) : (
        <section aria-label="Secret list" class="secret-list">
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
            <span class="muted" role="status" aria-atomic="true">
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
            <SecretsTable
              secrets={visible}
              view={view}
              onSort={(key) => secrets.sortBy(key)}
              onAction={(kind, secret) => openAction(kind, secret)}
              onCopied={onCopied}
              changed={secrets.changed.value}
            />
          )}
        </section>
      )}

      {current?.kind === 'add' ? (
        <AddSecretDrawer secrets={secrets} onClose={close} fallbackFocus={fallbackFocus} draft={draft} onDraft={keepDraft} />
      ) : null}
      {current?.kind === 'details' ? (
        <SecretDetailsDrawer
          secret={secrets.secrets.value.find((s) => s.name === current.secret.name) ?? current.secret}
          onAction={(kind, secret) => openAction(kind, secret)}
          onCopied={onCopied}
          onClose={close}
          fallbackFocus={fallbackFocus}
        />
      ) : null}
      {current?.kind === 'replace' ? (
        <ReplaceSecretDrawer secrets={secrets} secret={current.secret} onClose={close} fallbackFocus={fallbackFocus} draft={draft} onDraft={keepDraft} />
      ) : null}
      {current?.kind === 'rotate' ? <RotateDialog secrets={secrets} secret={current.secret} onClose={close} fallbackFocus={fallbackFocus} /> : null}
      {current?.kind === 'delete' ? <DeleteDialog secrets={secrets} secret={current.secret} onClose={close} fallbackFocus={fallbackFocus} /> : null}
      {current?.kind === 'log' ? <AccessLogDrawer api={api} name={current.secret.name} onClose={close} fallbackFocus={fallbackFocus} /> : null}
      {current?.kind === 'versions' ? (
        <VersionsDrawer api={api} secrets={secrets} secret={current.secret} onClose={close} fallbackFocus={fallbackFocus} />
      ) : null}
      {current?.kind === 'describe' ? <DescriptionDrawer secrets={secrets} secret={current.secret} onClose={close} fallbackFocus={fallbackFocus} /> : null}
    </>
  )
}
