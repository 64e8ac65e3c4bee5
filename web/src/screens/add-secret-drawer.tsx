/**
 * "Add secret": name, value, description → `POST /secrets`. The request
 * body carries exactly the fields the operator filled: no empty description.
 */
import type { SecretsModel } from '../models/secrets-model.ts'
import type { FormDraft } from '../models/session-model.ts'
import type { CreateSecretInput } from '../types.ts'
import { SecretFormDrawer } from './secret-form-drawer.tsx'

/** Props of {@link AddSecretDrawer}. */
export interface AddSecretDrawerProps {
  secrets: SecretsModel
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
  /** name and description kept from before a re-login */
  draft?: FormDraft | null
  onDraft?: (update: Partial<FormDraft>) => void
}

/** The drawer with the create form. */
export function AddSecretDrawer({ secrets, onClose, fallbackFocus, draft, onDraft }: AddSecretDrawerProps) {
  const kept = draft?.kind === 'add' ? draft : null
  return (
    <SecretFormDrawer
      formId="add-secret-form"
      title="Add secret"
      subtitle="The value is encrypted at once and can never be read back here."
      submitLabel="Add secret"
      withName
      valueLabel="Value"
      descriptionHint="What it is for, who owns it."
      defaultName={kept?.name}
      defaultDescription={kept?.description}
      onDraft={onDraft}
      onClose={onClose}
      fallbackFocus={fallbackFocus}
      send={({ name, value, description }, form) => {
        const body: CreateSecretInput = { name: name!, value }
        if (description !== '') body.description = description
        return form.submit(() => secrets.create(body))
      }}
    />
  )
}
