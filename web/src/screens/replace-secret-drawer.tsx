/**
 * "Replace value": a new value (and optionally a new description) →
 * `PUT /secrets/{name}`. The description is sent only when it was changed,
 * because the contract keeps the stored one when it is omitted. It carries
 * `If-Match` with the version the drawer was opened on, so a change made
 * meanwhile is reported (412), not overwritten; after that report the next
 * Save sends the version the operator has now been told about.
 */
import { useRef } from 'preact/hooks'
import { isVersionMismatch } from '../api-error.ts'
import type { SecretsModel } from '../models/secrets-model.ts'
import type { FormDraft } from '../models/session-model.ts'
import type { ReplaceSecretInput, Secret } from '../types.ts'
import { SecretFormDrawer } from './secret-form-drawer.tsx'

/** Props of {@link ReplaceSecretDrawer}. */
export interface ReplaceSecretDrawerProps {
  secrets: SecretsModel
  secret: Secret
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
  /** the description typed before a re-login */
  draft?: FormDraft | null
  onDraft?: (update: Partial<FormDraft>) => void
}

/** The drawer with the replace form. */
export function ReplaceSecretDrawer({ secrets, secret, onClose, fallbackFocus, draft, onDraft }: ReplaceSecretDrawerProps) {
  const original = secret.description ?? ''
  const kept = draft?.kind === 'replace' && draft.secret === secret.name ? draft : null
  const base = useRef(secret.version)
  return (
    <SecretFormDrawer
      formId="replace-secret-form"
      title="Replace value"
      subtitle={<code>{secret.name}</code>}
      submitLabel="Replace value"
      withName={false}
      intro="The new value becomes a new version. The current one stays in the history (as many previous versions as the server keeps, 10 unless set otherwise), from where it can be rolled back. Renders use the new value from the next request on."
      valueLabel="New value"
      descriptionHint="Kept as it is unless you change it."
      defaultDescription={kept ? kept.description : original}
      onDraft={onDraft}
      onClose={onClose}
      fallbackFocus={fallbackFocus}
      send={({ value, description }, form) => {
        const body: ReplaceSecretInput = { value }
        if (description !== original.trim()) body.description = description
        return form.submit(() => secrets.replace(secret.name, body, base.current)).then((result) => {
          // The next Save sends the version the operator has now been told about.
          if (!result.ok && isVersionMismatch(result.error)) base.current = result.error.currentVersion ?? base.current
          return result
        })
      }}
    />
  )
}
