/**
 * One secret in full: its whole name, description, times (relative and
 * exact UTC), key, version, last read, the
 * `${SECRET:NAME}` reference with a copy button, and the actions. Keeping
 * the actions here rather than in every row is what keeps the list at two
 * tab stops a row.
 */
import { useEffect } from 'preact/hooks'
import { formatExactTime } from '../relative-time.ts'
import { secretReference } from '../secret-rules.ts'
import type { Secret } from '../types.ts'
import { Button } from '../ui/button.tsx'
import { CopyButton } from '../ui/copy-button.tsx'
import { Drawer } from '../ui/drawer.tsx'
import { RelativeTime } from '../ui/relative-time.tsx'
import { preloadSecretDrawers } from './lazy-screens.tsx'
import type { SecretAction } from './secrets-table.tsx'

/** Props of {@link SecretDetailsDrawer}. */
export interface SecretDetailsDrawerProps {
  secret: Secret
  onAction: (action: Exclude<SecretAction, 'details'>, secret: Secret) => void
  onCopied: (ok: boolean, text: string) => void
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
}

function When({ iso }: { iso: string }) {
  return (
    <>
      <RelativeTime iso={iso} /> <span class="muted">({formatExactTime(iso)})</span>
    </>
  )
}

/** The details drawer of one secret. */
export function SecretDetailsDrawer({ secret, onAction, onCopied, onClose, fallbackFocus }: SecretDetailsDrawerProps) {
  const reference = secretReference(secret.name)
  // The drawers of the actions below are files of their own: fetch them now, before one is chosen.
  useEffect(preloadSecretDrawers, [])
  const read = secret.last_read
  return (
    <Drawer
      title="Secret"
      subtitle={<code class="full-name">{secret.name}</code>}
      onClose={onClose}
      fallbackFocus={fallbackFocus}
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <dl class="details">
        <dt>Reference</dt>
        <dd class="details-reference">
          <code>{reference}</code>
          <CopyButton text={reference} label="Copy reference" onCopied={onCopied} />
        </dd>
        <dt>Description</dt>
        <dd>{secret.description ? secret.description : <span class="muted">none</span>}</dd>
        <dt>Value</dt>
        <dd>
          <span aria-hidden="true" class="mask">
            ••••
          </span>{' '}
          <span class="muted">write-only: never shown</span>
        </dd>
        <dt>Version</dt>
        <dd>v{secret.version}</dd>
        <dt>Last read</dt>
        <dd>
          {read ? (
            <>
              <When iso={read.at} /> by <code>{read.accessor}</code>
            </>
          ) : (
            <span class="muted">{read === null ? 'never read' : 'unknown'}</span>
          )}
        </dd>
        <dt>Last rotated</dt>
        <dd>
          <When iso={secret.rotated_at} />
        </dd>
        <dt>Created</dt>
        <dd>
          <When iso={secret.created_at} />
        </dd>
        <dt>Key</dt>
        <dd>
          <code class="key-id">{secret.key_id}</code>{' '}
          {secret.key_current ? <span class="muted">current</span> : <span class="badge badge-warn">previous key</span>}
        </dd>
      </dl>
      <div class="details-actions" role="group" aria-label="Actions">
        <Button onClick={() => onAction('replace', secret)}>Replace value</Button>
        <Button onClick={() => onAction('rotate', secret)}>Rotate</Button>
        <Button onClick={() => onAction('describe', secret)}>Edit description</Button>
        <Button onClick={() => onAction('versions', secret)}>History</Button>
        <Button onClick={() => onAction('log', secret)}>Access log</Button>
        <Button variant="danger" onClick={() => onAction('delete', secret)}>
          Delete
        </Button>
      </div>
    </Drawer>
  )
}
