/**
 * "Replace value": a new value (and optionally a new description) →
 * `PUT /secrets/{name}`. The description is sent only when it was changed,
 * because the contract keeps the stored one when it is omitted.
 */
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
  return (
    <SecretFormDrawer
      formId="replace-secret-form"
      title="Replace value"
      subtitle={<code>{secret.name}</code>}
      submitLabel="Replace value"
      withName={false}
      intro="The old value is overwritten and cannot be recovered. Renders use the new value from the next request on."
      valueLabel="New value"
      descriptionHint="Kept as it is unless you change it."
      defaultDescription={kept ? kept.description : original}
      onDraft={onDraft}
      onClose={onClose}
      fallbackFocus={fallbackFocus}
      send={({ value, description }, form) => {
        const body: ReplaceSecretInput = { value }
        if (description !== original.trim()) body.description = description
        return form.submit(() => secrets.replace(secret.name, body))
      }}
    />
  )
}
