/** Confirmation before `POST /secrets/{name}/rotate`. */
import { useModel } from '@preact/signals'
import { FormModel } from '../models/form-model.ts'
import type { SecretsModel } from '../models/secrets-model.ts'
import type { Secret } from '../types.ts'
import { Banner } from '../ui/banner.tsx'
import { ConfirmDialog } from '../ui/confirm-dialog.tsx'

/** Props of {@link RotateDialog}. */
export interface RotateDialogProps {
  secrets: SecretsModel
  secret: Secret
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
}

/** Asks before re-encrypting one secret under the current master key. */
export function RotateDialog({ secrets, secret, onClose, fallbackFocus }: RotateDialogProps) {
  const form = useModel(() => new FormModel([]))
  const currentKey = secrets.currentKeyId.value

  async function confirm() {
    const result = await form.submit(() => secrets.rotate(secret.name))
    if (result.ok) onClose()
  }

  return (
    <ConfirmDialog
      title={
        <>
          Rotate <code>{secret.name}</code>?
        </>
      }
      confirmLabel="Rotate"
      busyLabel="Rotating…"
      busy={form.busy.value}
      onConfirm={() => void confirm()}
      onCancel={onClose}
      fallbackFocus={fallbackFocus}
    >
      {form.banner.value ? <Banner tone="error">{form.banner}</Banner> : null}
      <p>
        The stored value is re-encrypted under the current master key
        {currentKey ? (
          <>
            {' '}
            <code>{currentKey}</code>
          </>
        ) : null}
        . The value itself does not change.
      </p>
      {secret.key_current ? (
        <p class="muted">It already uses the current key; rotating again only renews its encryption.</p>
      ) : (
        <p class="muted">
          It still uses the previous key <code>{secret.key_id}</code>.
        </p>
      )}
    </ConfirmDialog>
  )
}
