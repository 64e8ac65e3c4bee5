/**
 * The one button of the UI. `variant` picks the look; `busy` is for a request
 * in flight: the button is disabled (no double submit), says so to assistive
 * technology with aria-busy, and shows a spinner with a short text.
 */
import type { ButtonHTMLAttributes, ComponentChildren } from 'preact'

/** Visual weight: primary for the main action, danger for what cannot be undone. */
export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost'

/** Props of {@link Button}: every native button attribute, plus the variant and busy state. */
export interface ButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'class' | 'className'> {
  variant?: ButtonVariant
  /** request in flight: disabled, aria-busy, spinner + `busyLabel` */
  busy?: boolean
  /** text shown while busy, e.g. "Saving…"; defaults to the children */
  busyLabel?: ComponentChildren
  /** small variant for table rows */
  size?: 'normal' | 'small'
  class?: string
  children?: ComponentChildren
}

/** A button with variants and a busy state. `type` defaults to "button" so it never submits a form by accident. */
export function Button({
  variant = 'secondary',
  busy = false,
  busyLabel,
  size = 'normal',
  disabled,
  type = 'button',
  class: extraClass,
  children,
  ...rest
}: ButtonProps) {
  const classes = ['btn', `btn-${variant}`, size === 'small' ? 'btn-small' : '', extraClass ?? ''].filter(Boolean).join(' ')
  return (
    <button
      {...rest}
      type={type}
      class={classes}
      disabled={Boolean(disabled) || busy}
      aria-busy={busy ? 'true' : undefined}
    >
      {busy ? (
        <>
          <span class="spinner" aria-hidden="true" />
          <span>{busyLabel ?? children}</span>
        </>
      ) : (
        children
      )}
    </button>
  )
}
