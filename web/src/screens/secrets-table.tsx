/**
 * The table of secrets, built for hundreds of rows and 128-character names:
 * a fixed layout where a long name is cut with an ellipsis (whole on hover
 * and on focus), descriptions stop at two lines, headers stay in view and
 * sort. Each row has two tab stops: its name, which opens the secret's
 * details (where the actions are), and a copy-reference button. Below 720 px
 * the rows become cards (styles.css). Metadata only: the browser never
 * receives a value to show.
 */
import type { ListView, SortKey } from '../models/list-view.ts'
import { secretReference } from '../secret-rules.ts'
import type { Secret } from '../types.ts'
import { CopyButton } from '../ui/copy-button.tsx'
import { RelativeTime } from '../ui/relative-time.tsx'

/** What a row or the details drawer asks for. */
export type SecretAction = 'details' | 'replace' | 'rotate' | 'log' | 'versions' | 'describe' | 'delete'

/** Props of {@link SecretsTable}. */
export interface SecretsTableProps {
  secrets: readonly Secret[]
  view: ListView
  onSort: (key: SortKey) => void
  onAction: (action: SecretAction, secret: Secret) => void
  onCopied: (ok: boolean, text: string) => void
  /** the row the last change was about */
  changed?: string | null
}

const SORT_LABEL: Record<SortKey, string> = { name: 'Name', rotated: 'Last rotated', read: 'Last read' }

/** One row per secret. */
export function SecretsTable({ secrets, view, onSort, onAction, onCopied, changed }: SecretsTableProps) {
  const sortHeader = (key: SortKey, extra: string) => {
    const active = view.sort === key
    return (
      <th scope="col" class={extra} aria-sort={active ? (view.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
        <button type="button" class="sort-button" onClick={() => onSort(key)}>
          {SORT_LABEL[key]}
          <span class="sort-mark" aria-hidden="true">
            {active ? (view.dir === 'asc' ? '▲' : '▼') : '↕'}
          </span>
        </button>
      </th>
    )
  }
  return (
    <div class="table-wrap">
      <table class="table secrets-table">
        <caption class="sr-only">
          Secrets ({secrets.length} shown), sorted by {SORT_LABEL[view.sort].toLowerCase()}. Values are write-only and never displayed.
        </caption>
        <thead>
          <tr>
            {sortHeader('name', 'col-name')}
            <th scope="col" class="col-description">
              Description
            </th>
            <th scope="col" class="col-version">
              Version
            </th>
            {sortHeader('rotated', 'col-time')}
            {sortHeader('read', 'col-read')}
            <th scope="col" class="col-key">
              Key
            </th>
            <th scope="col" class="col-copy">
              <span class="sr-only">Reference</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {secrets.map((secret) => (
            <SecretRow key={secret.name} secret={secret} onAction={onAction} onCopied={onCopied} changed={secret.name === changed} />
          ))}
        </tbody>
      </table>
    </div>
  )
}

interface RowProps {
  secret: Secret
  changed: boolean
  onAction: SecretsTableProps['onAction']
  onCopied: SecretsTableProps['onCopied']
}

function SecretRow({ secret, changed, onAction, onCopied }: RowProps) {
  const { name } = secret
  return (
    <tr data-secret={name} class={changed ? 'row-changed' : undefined}>
      <th scope="row" class="cell-name">
        <button type="button" class="name-button" title={name} aria-label={`${name}: details and actions`} onClick={() => onAction('details', secret)}>
          <code class="secret-name">{name}</code>
        </button>
      </th>
      <td class="cell-description">
        {secret.description ? <span class="clamp-2">{secret.description}</span> : <span class="muted">—</span>}
      </td>
      <td class="cell-version">
        <span class="card-label">Version </span>v{secret.version}
      </td>
      <td class="cell-time">
        <span class="card-label">Rotated </span>
        <RelativeTime iso={secret.rotated_at} />
      </td>
      <td class="cell-read">
        <LastReadCell secret={secret} />
      </td>
      <td class="cell-key">
        <code class="key-id">{secret.key_id}</code>
        {secret.key_current ? null : (
          <span class="badge badge-warn" title="Encrypted under a previous master key; rotate to re-encrypt under the current one">
            previous key
          </span>
        )}
      </td>
      <td class="cell-copy">
        <CopyButton text={secretReference(name)} label="Copy ref" srSuffix={`of ${name}`} onCopied={onCopied} />
      </td>
    </tr>
  )
}

/** "2 hours ago by cli:alice", or "never". */
export function LastReadCell({ secret }: { secret: Secret }) {
  const read = secret.last_read
  if (read === undefined) return <span class="muted">—</span>
  if (read === null) return <span class="muted">never read</span>
  return (
    <span class="last-read">
      <span class="card-label">Read </span>
      <RelativeTime iso={read.at} /> <span class="muted">by</span> <code class="accessor">{read.accessor}</code>
    </span>
  )
}
