/**
 * One client on the Clients page: its grants, its tokens (id, expiry, last
 * use, state; never a token) and its actions.
 */
import { now } from '../clock.ts'
import type { Client, ClientToken } from '../types.ts'
import { Button } from '../ui/button.tsx'
import { RelativeTime } from '../ui/relative-time.tsx'

/** What a client card asks its page to open. */
export type ClientAction = { kind: 'token' | 'history' | 'remove' } | { kind: 'revoke'; token: ClientToken }

/** A token's state in one word. */
export function tokenState(token: ClientToken, at: number = Date.now()): 'revoked' | 'expired' | 'live' {
  if (token.revoked_at !== null) return 'revoked'
  return Date.parse(token.expires_at) <= at ? 'expired' : 'live'
}

/** Props of {@link ClientCard}. */
export interface ClientCardProps {
  client: Client
  onAction: (action: ClientAction) => void
}

/** A client, its grants and tokens. */
export function ClientCard({ client, onAction }: ClientCardProps) {
  void now.value
  const tokens = [...client.tokens].sort((a, b) => (a.created_at < b.created_at ? 1 : -1))
  const headingId = `client-${client.name}`
  return (
    <article class="client-card" aria-labelledby={headingId} data-client={client.name}>
      <div class="client-card-head">
        <h2 id={headingId} class="client-name">
          <code>{client.name}</code>
        </h2>
        <div class="client-actions">
          <Button size="small" variant="primary" onClick={() => onAction({ kind: 'token' })} aria-label={`Issue token for ${client.name}`}>
            Issue token
          </Button>
          <Button size="small" onClick={() => onAction({ kind: 'history' })} aria-label={`Access history of ${client.name}`}>
            Access history
          </Button>
          <Button size="small" variant="danger" onClick={() => onAction({ kind: 'remove' })} aria-label={`Remove ${client.name}`}>
            Remove
          </Button>
        </div>
      </div>
      {client.description ? <p class="muted">{client.description}</p> : null}
      <div>
        <span class="muted">May read: </span>
        {client.grants.length === 0 ? (
          <span class="muted">nothing (no grants)</span>
        ) : (
          <ul class="grant-list" aria-label={`Grants of ${client.name}`}>
            {client.grants.map((g) => (
              <li key={g}>
                <code class="badge">{g === '*' ? '* (every secret)' : g}</code>
              </li>
            ))}
          </ul>
        )}
      </div>
      {tokens.length === 0 ? (
        <p class="muted">No token yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="table log-table">
            <caption class="sr-only">Tokens of {client.name}</caption>
            <thead>
              <tr>
                <th scope="col">Token id</th>
                <th scope="col">Issued</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => {
                const state = tokenState(t)
                return (
                  <tr key={t.id} data-token={t.id}>
                    <td>
                      <code>{t.id}</code>
                    </td>
                    <td class="cell-time">
                      <RelativeTime iso={t.created_at} />
                    </td>
                    <td class="cell-time">
                      <RelativeTime iso={t.expires_at} />
                    </td>
                    <td class="cell-time">{t.last_used_at ? <RelativeTime iso={t.last_used_at} /> : <span class="muted">never</span>}</td>
                    <td>
                      <span class={state === 'live' ? 'badge badge-ok' : 'badge badge-error'}>{state}</span>
                    </td>
                    <td class="cell-actions">
                      {state === 'live' ? (
                        <Button size="small" variant="ghost" onClick={() => onAction({ kind: 'revoke', token: t })} aria-label={`Revoke token ${t.id}`}>
                          Revoke
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </article>
  )
}
