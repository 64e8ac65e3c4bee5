/**
 * The table of secrets. Metadata only: the value column is a fixed mask
 * because the browser never receives a value to show.
 */
import type { Secret } from '../types.ts'
import { Button } from '../ui/button.tsx'
import { RelativeTime } from '../ui/relative-time.tsx'

/** What a row's buttons ask for. */
export type SecretAction = 'replace' | 'rotate' | 'log' | 'delete' | 'versions' | 'describe'

/** Props of {@link SecretsTable}. */
export interface SecretsTableProps {
  secrets: readonly Secret[]
  onAction: (action: SecretAction, secret: Secret) => void
}

/** One row per secret, with its actions. */
export function SecretsTable({ secrets, onAction }: SecretsTableProps) {
  return (
    <div class="table-wrap">
      <table class="table secrets-table">
        <caption class="sr-only">Secrets ({secrets.length} shown). Values are write-only and never displayed.</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Description</th>
            <th scope="col">Last rotated</th>
            <th scope="col">Key</th>
            <th scope="col">Value</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {secrets.map((secret) => (
            <SecretRow key={secret.name} secret={secret} onAction={onAction} />
          ))}
        </tbody>
      </table>
    </div>
  )
}

function SecretRow({ secret, onAction }: { secret: Secret; onAction: SecretsTableProps['onAction'] }) {
  const { name } = secret
  return (
    <tr data-secret={name}>
      <th scope="row" class="cell-name">
        <code class="secret-name">{name}</code>
      </th>
      <td class="cell-description">{secret.description ? secret.description : <span class="muted">—</span>}</td>
      <td class="cell-time">
        <RelativeTime iso={secret.rotated_at} />
      </td>
      <td class="cell-key">
        <code class="key-id">{secret.key_id}</code>
        {secret.key_current ? null : (
          <span class="badge badge-warn" title="Encrypted under a previous master key; rotate to re-encrypt under the current one">
            previous key
          </span>
        )}
      </td>
      <td class="cell-value">
        <span aria-hidden="true" class="mask">
          ••••
        </span>
        <span class="sr-only">hidden</span>
      </td>
      <td class="cell-actions">
        <Button size="small" variant="ghost" aria-label={`Replace value of ${name}`} onClick={() => onAction('replace', secret)}>
          Replace
        </Button>
        <Button size="small" variant="ghost" aria-label={`Rotate ${name}`} onClick={() => onAction('rotate', secret)}>
          Rotate
        </Button>
        <Button size="small" variant="ghost" aria-label={`Access log of ${name}`} onClick={() => onAction('log', secret)}>
          Log
        </Button>
        <Button size="small" variant="ghost" aria-label={`Version history of ${name}`} onClick={() => onAction('versions', secret)}>
          History
        </Button>
        <Button size="small" variant="ghost" aria-label={`Edit description of ${name}`} onClick={() => onAction('describe', secret)}>
          Edit
        </Button>
        <Button size="small" variant="ghost" class="btn-ghost-danger" aria-label={`Delete ${name}`} onClick={() => onAction('delete', secret)}>
          Delete
        </Button>
      </td>
    </tr>
  )
}
