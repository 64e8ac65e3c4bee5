/**
 * Confirmation before `DELETE /secrets/{name}`. The operator types the name
 * to confirm, and the button stays disabled until it matches exactly: a
 * delete breaks every artifact that references the secret.
 */
import { useModel, useSignal } from '@preact/signals'
import { useId } from 'preact/hooks'
import { FormModel } from '../models/form-model.ts'
import type { SecretsModel } from '../models/secrets-model.ts'
import type { Secret } from '../types.ts'
import { Banner } from '../ui/banner.tsx'
import { ConfirmDialog } from '../ui/confirm-dialog.tsx'

/** Props of {@link DeleteDialog}. */
export interface DeleteDialogProps {
  secrets: SecretsModel
  secret: Secret
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
}

/** Asks for the secret's name before deleting it. */
export function DeleteDialog({ secrets, secret, onClose, fallbackFocus }: DeleteDialogProps) {
  const form = useModel(() => new FormModel([]))
  const typed = useSignal('')
  const inputId = useId()
  const matches = typed.value === secret.name

  async function confirm() {
    if (!matches) return
    const result = await form.submit(() => secrets.remove(secret.name))
    // A 404 means someone else deleted it first: the list already dropped it, so close too.
    if (result.ok || result.error.status === 404) onClose()
  }

  return (
    <ConfirmDialog
      title={
        <>
          Delete <code>{secret.name}</code>?
        </>
      }
      variant="danger"
      confirmLabel="Delete secret"
      busyLabel="Deleting…"
      busy={form.busy.value}
      confirmDisabled={!matches}
      onConfirm={() => void confirm()}
      onCancel={onClose}
      fallbackFocus={fallbackFocus}
    >
      {form.banner.value ? <Banner tone="error">{form.banner}</Banner> : null}
      <p>
        This removes the secret for good. Every artifact that references <code>{`\${SECRET:${secret.name}}`}</code> will
        fail to render until it is added again. Its access log stays readable.
      </p>
      <div class="field">
        <label class="field-label" for={inputId}>
          Type <code>{secret.name}</code> to confirm
        </label>
        <input
          id={inputId}
          class="input mono"
          type="text"
          autoComplete="off"
          autoCapitalize="off"
          spellcheck={false}
          data-autofocus
          value={typed.value}
          onInput={(event) => {
            typed.value = event.currentTarget.value
          }}
        />
      </div>
    </ConfirmDialog>
  )
}
