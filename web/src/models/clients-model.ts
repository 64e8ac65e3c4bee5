/**
 * The machine clients (docs/clients.md): the list, and the changes an
 * operator makes to it. An issued token is handed to the caller and never
 * kept here: the dialog that shows it holds it, and drops it when it closes.
 */
import { createModel, signal } from '@preact/signals'
import { ApiError } from '../api-error.ts'
import type { ApiClient } from '../api.ts'
import type { Client, CreateClientInput, IssuedToken } from '../types.ts'
import { byName } from './list-view.ts'

/** Loading state of the list. */
export type ClientsStatus = 'loading' | 'ready' | 'error'

/** The clients page's state. */
export const ClientsModel = createModel((api: ApiClient) => {
  const clients = signal<Client[]>([])
  const status = signal<ClientsStatus>('loading')
  const error = signal<string | null>(null)
  /** what the last change did, for a polite status line */
  const notice = signal<string | null>(null)

  function put(client: Client) {
    const others = clients.value.filter((c) => c.name !== client.name)
    clients.value = [...others, client].sort(byName)
  }

  async function refresh(name: string) {
    try {
      const { clients: all } = await api.listClients()
      const fresh = all.find((c) => c.name === name)
      if (fresh) put(fresh)
      else clients.value = clients.value.filter((c) => c.name !== name)
    } catch (e) {
      if (!(e instanceof ApiError)) throw e
      error.value = e.message
    }
  }

  return {
    clients,
    status,
    error,
    notice,
    /** `GET /clients`. */
    async load(): Promise<void> {
      status.value = 'loading'
      error.value = null
      try {
        clients.value = (await api.listClients()).clients
        status.value = 'ready'
      } catch (e) {
        if (!(e instanceof ApiError)) throw e
        error.value = e.message
        status.value = 'error'
      }
    },
    /** `POST /clients`; rejects with the ApiError for the form. */
    async add(input: CreateClientInput): Promise<Client> {
      const created = await api.createClient(input)
      put(created)
      notice.value = `Client ${created.name} added. Issue it a token to let it read its secrets.`
      return created
    },
    /** `DELETE /clients/{name}`; a 404 (removed elsewhere) counts as done. */
    async remove(name: string): Promise<void> {
      try {
        await api.removeClient(name)
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 404) throw e
      }
      clients.value = clients.value.filter((c) => c.name !== name)
      notice.value = `Client ${name} removed. Its tokens no longer work.`
    },
    /**
     * `POST /clients/{name}/tokens`: the token, for the caller to show once.
     * The list is then read again, so it shows the new token's id, never the token.
     */
    async issueToken(name: string, ttl: string): Promise<IssuedToken> {
      const issued = await api.issueToken(name, ttl)
      await refresh(name)
      return issued
    },
    /** `DELETE /clients/{name}/tokens/{id}`. */
    async revoke(name: string, id: string): Promise<void> {
      await api.revokeToken(name, id)
      await refresh(name)
      notice.value = `Token ${id} of ${name} revoked.`
    },
    dismissNotice(): void {
      notice.value = null
    },
  }
})

/** An instance of {@link ClientsModel}. */
export type ClientsModel = InstanceType<typeof ClientsModel>
