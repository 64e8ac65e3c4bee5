/**
 * Label, control, hint and error of one form field, wired together with ids
 * so a screen reader reads the hint and the error with the control.
 * The control itself is passed as a render function that receives those ids:
 * the caller keeps full control of the input (uncontrolled value inputs stay
 * uncontrolled).
 */
import type { ComponentChildren, JSX } from 'preact'
import { useId } from 'preact/hooks'

/** Attributes {@link Field} hands to its control. */
export interface FieldControlProps {
  id: string
  'aria-describedby'?: string
  'aria-invalid'?: 'true'
}

/** Props of {@link Field}. */
export interface FieldProps {
  label: ComponentChildren
  /** always-visible help under the control */
  hint?: ComponentChildren
  /** message shown in red under the control; marks the control aria-invalid */
  error?: string | null | undefined
  /** "optional" marker beside the label */
  optional?: boolean
  children: (control: FieldControlProps) => JSX.Element
}

/** One labelled form field with hint and error. */
export function Field({ label, hint, error, optional = false, children }: FieldProps) {
  const id = useId()
  const hintId = `${id}-hint`
  const errorId = `${id}-error`
  const describedBy = [error ? errorId : '', hint ? hintId : ''].filter(Boolean).join(' ')
  const control: FieldControlProps = { id }
  if (describedBy) control['aria-describedby'] = describedBy
  if (error) control['aria-invalid'] = 'true'
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <label class="field-label" for={id}>
        {label}
        {optional ? <span class="field-optional"> (optional)</span> : null}
      </label>
      {children(control)}
      {error ? (
        <p class="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
      {hint ? (
        <p class="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  )
}
