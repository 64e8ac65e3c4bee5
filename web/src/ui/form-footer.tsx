/**
 * The footer of a drawer that holds a form: Cancel, then the primary submit
 * button. The drawer's footer sits outside the form (it stays pinned while the
 * body scrolls), so the submit button names the form by id.
 */
import type { ComponentChildren } from 'preact'
import { Button } from './button.tsx'

/** Props of {@link FormFooter}. */
export interface FormFooterProps {
  /** id of the form the submit button submits */
  formId: string
  /** what Cancel does (the drawer's close) */
  onCancel: () => void
  /** the form is being sent: the submit button shows `busyLabel` */
  busy: boolean
  busyLabel: ComponentChildren
  /** the submit button's label */
  children: ComponentChildren
}

/** Cancel and the form's submit button, for a drawer's `footer`. */
export function FormFooter({ formId, onCancel, busy, busyLabel, children }: FormFooterProps) {
  return (
    <>
      <Button onClick={onCancel}>Cancel</Button>
      <Button type="submit" form={formId} variant="primary" busy={busy} busyLabel={busyLabel}>
        {children}
      </Button>
    </>
  )
}
