/**
 * `/settings/clients`: the machine clients (docs/clients.md). List them, add
 * one with its grants, issue a token (shown once), revoke a token, remove a
 * client (asked first), and read a client's own access history.
 */
import { useModel, useSignal } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import type { ApiClient } from '../api.ts'
import { ClientsModel } from '../models/clients-model.ts'
import { FormModel } from '../models/form-model.ts'
import type { ClientToken } from '../types.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { ConfirmDialog } from '../ui/confirm-dialog.tsx'
import { AddClientDrawer } from './add-client-drawer.tsx'
import { type ClientAction, ClientCard, tokenState } from './client-card.tsx'
import { ClientHistoryDrawer } from './client-history-drawer.tsx'
import { PageHead } from './page-head.tsx'
import { TokenDialog } from './token-dialog.tsx'

/** Props of {@link ClientsScreen}. */
export interface ClientsScreenProps {
  api: ApiClient
}

type Open = { kind: 'add' } | ({ name: string } & ClientAction) | null

/** The Clients page. */
export function ClientsScreen({ api }: ClientsScreenProps) {
  const clients = useModel(() => new ClientsModel(api))
  const open = useSignal<Open>(null)
  useEffect(() => {
    void clients.load()
  }, [])

  const close = () => {
    open.value = null
  }
  const fallbackFocus = () => document.querySelector<HTMLElement>('h1')
  const current = open.value
  const status = clients.status.value
  const list = clients.clients.value

  return (
    <>
      <PageHead
        title="Clients"
        lead="Machine identities (MCP servers, agents, CI jobs) that read the secrets their grants cover with a token of their own, without the master key."
        action={
          <Button variant="primary" onClick={() => (open.value = { kind: 'add' })}>
            Add client
          </Button>
        }
      />
      <div class="status-line" role="status">
        {clients.notice.value ? (
          <Banner tone="notice" onDismiss={() => clients.dismissNotice()}>
            {clients.notice}
          </Banner>
        ) : null}
      </div>
      {status === 'error' ? (
        <div class="load-error">
          <Banner tone="error">{clients.error}</Banner>
          <Button onClick={() => void clients.load()}>Try again</Button>
        </div>
      ) : status === 'loading' ? (
        <p class="muted" role="status">
          Loading clients…
        </p>
      ) : list.length === 0 ? (
        <p class="muted">No clients yet. Add one for each MCP server, agent or job that should read secrets without the master key.</p>
      ) : (
        <div class="client-list">
          {clients.error.value ? <Banner tone="error">{clients.error}</Banner> : null}
          {list.map((client) => (
            <ClientCard key={client.name} client={client} onAction={(action) => (open.value = { name: client.name, ...action })} />
          ))}
        </div>
      )}

      {current?.kind === 'add' ? (
        <AddClientDrawer clients={clients} onClose={close} fallbackFocus={fallbackFocus} onAdded={(name) => (open.value = { kind: 'token', name })} />
      ) : null}
      {current?.kind === 'token' ? <TokenDialog clients={clients} name={current.name} onClose={close} fallbackFocus={fallbackFocus} /> : null}
      {current?.kind === 'history' ? <ClientHistoryDrawer api={api} name={current.name} onClose={close} fallbackFocus={fallbackFocus} /> : null}
      {current?.kind === 'remove' ? <RemoveDialog clients={clients} name={current.name} onClose={close} fallbackFocus={fallbackFocus} /> : null}
      {current?.kind === 'revoke' ? (
        <RevokeDialog clients={clients} name={current.name} token={current.token} onClose={close} fallbackFocus={fallbackFocus} />
      ) : null}
    </>
  )
}

interface DialogProps {
  clients: ClientsModel
  name: string
  onClose: () => void
  fallbackFocus: () => HTMLElement | null
}

function RemoveDialog({ clients, name, onClose, fallbackFocus }: DialogProps) {
  const form = useModel(() => new FormModel([]))
  const live = clients.clients.value.find((c) => c.name === name)?.tokens.filter((t) => tokenState(t) === 'live').length ?? 0
  return (
    <ConfirmDialog
      title={<>Remove client <code>{name}</code>?</>}
      confirmLabel="Remove client"
      busyLabel="Removing…"
      variant="danger"
      busy={form.busy.value}
      onConfirm={() => void form.submit(() => clients.remove(name)).then((r) => r.ok && onClose())}
      onCancel={onClose}
      fallbackFocus={fallbackFocus}
    >
      {form.banner.value ? <Banner tone="error">{form.banner}</Banner> : null}
      <p>
        {live === 0 ? 'It has no live token.' : `Its ${live === 1 ? 'live token stops' : `${live} live tokens stop`} working at once.`} Its
        access history stays in the audit log.
      </p>
    </ConfirmDialog>
  )
}

function RevokeDialog({ clients, name, token, onClose, fallbackFocus }: DialogProps & { token: ClientToken }) {
  const form = useModel(() => new FormModel([]))
  return (
    <ConfirmDialog
      title={<>Revoke token <code>{token.id}</code>?</>}
      confirmLabel="Revoke token"
      busyLabel="Revoking…"
      variant="danger"
      busy={form.busy.value}
      onConfirm={() => void form.submit(() => clients.revoke(name, token.id)).then((r) => r.ok && onClose())}
      onCancel={onClose}
      fallbackFocus={fallbackFocus}
    >
      {form.banner.value ? <Banner tone="error">{form.banner}</Banner> : null}
      <p>
        Whatever uses it gets 401 from now on. The other tokens of <code>{name}</code> keep working.
      </p>
    </ConfirmDialog>
  )
}
