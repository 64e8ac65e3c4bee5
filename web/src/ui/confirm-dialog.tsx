/**
 * A small centered modal that asks one question before an action (rotate,
 * delete). Same focus rules as the Drawer. `confirmDisabled` lets the caller
 * hold the action back until a condition holds (typing the secret's name).
 */
import type { ComponentChildren } from 'preact'
import { useContext, useId, useRef } from 'preact/hooks'
import { ModalExtra } from './modal-extra.ts'
import { Button, type ButtonVariant } from './button.tsx'
import { useModalFocus } from './use-modal-focus.ts'

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  title: ComponentChildren
  /** the action's label, e.g. "Delete secret" */
  confirmLabel: ComponentChildren
  /** label while the action runs, e.g. "Deleting…" */
  busyLabel?: ComponentChildren
  /** 'danger' for what cannot be undone; its dialog is an alertdialog */
  variant?: Extract<ButtonVariant, 'primary' | 'danger'>
  busy?: boolean
  confirmDisabled?: boolean
  onConfirm: () => void
  onCancel: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
  children?: ComponentChildren
}

/**
 * A confirmation dialog. Initial focus: a `[data-autofocus]` child if any,
 * else the confirm button for a primary action and Cancel for a dangerous one,
 * so Enter never destroys anything by reflex.
 */
export function ConfirmDialog({
  title,
  confirmLabel,
  busyLabel,
  variant = 'primary',
  busy = false,
  confirmDisabled = false,
  onConfirm,
  onCancel,
  fallbackFocus,
  children,
}: ConfirmDialogProps) {
  const ref = useRef<HTMLDivElement>(null)
  const titleId = useId()
  const bodyId = useId()
  const extra = useContext(ModalExtra)
  // While a request runs, Esc must not pretend to cancel something already sent.
  useModalFocus(ref, { onClose: () => (busy ? undefined : onCancel()), fallbackFocus })

  return (
    <div class="backdrop backdrop-center">
      <div
        ref={ref}
        class="dialog"
        role={variant === 'danger' ? 'alertdialog' : 'dialog'}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        tabIndex={-1}
      >
        {/* A form, so Enter in the confirmation input submits like anywhere else. */}
        <form
          class="dialog-form"
          onSubmit={(event) => {
            event.preventDefault()
            if (!busy && !confirmDisabled) onConfirm()
          }}
        >
        <h2 id={titleId} class="dialog-title">
          {title}
        </h2>
        {extra ? <div class="modal-extra">{extra}</div> : null}
        <div id={bodyId} class="dialog-body">
          {children}
        </div>
        <div class="dialog-actions">
          <Button variant="secondary" onClick={onCancel} disabled={busy} data-autofocus={variant === 'danger' ? '' : undefined}>
            Cancel
          </Button>
          <Button
            type="submit"
            variant={variant}
            busy={busy}
            busyLabel={busyLabel}
            disabled={confirmDisabled}
            data-autofocus={variant === 'primary' ? '' : undefined}
          >
            {confirmLabel}
          </Button>
        </div>
        </form>
      </div>
    </div>
  )
}
