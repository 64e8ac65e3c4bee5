/**
 * The write-only secret value input. Uncontrolled on purpose: the value stays
 * in the DOM input, is read once at submit (through `inputRef`), and is never
 * copied into a signal or state where it would outlive the form. It has no
 * `name` attribute, so even a native form submission could not serialise it,
 * and the input empties itself when it unmounts (close, cancel, session end).
 */
import { useSignal } from '@preact/signals'
import type { RefObject } from 'preact'
import { useLayoutEffect } from 'preact/hooks'
import type { FieldControlProps } from '../ui/field.tsx'

/** Props of {@link ValueInput}. */
export interface ValueInputProps {
  control: FieldControlProps
  inputRef: RefObject<HTMLInputElement | null>
  /** called on every keystroke, without the value (to clear a stale error) */
  onEdit?: () => void
}

/** A password input with a Show/Hide toggle for checking what was pasted. */
export function ValueInput({ control, inputRef, onEdit }: ValueInputProps) {
  // Only whether the text is shown is state; the text itself is not.
  const reveal = useSignal(false)

  useLayoutEffect(() => {
    const input = inputRef.current
    return () => {
      if (input) input.value = ''
    }
  }, [])

  return (
    <div class="value-input">
      <input
        {...control}
        ref={inputRef}
        class="input mono"
        {...(reveal.value ? { type: 'text' as const } : { type: 'password' as const })}
        // "off" plus the managers' own opt-outs: a secret value is not a login password to save.
        autoComplete="off"
        autoCapitalize="off"
        spellcheck={false}
        data-1p-ignore=""
        data-lpignore="true"
        data-bwignore=""
        onInput={() => onEdit?.()}
      />
      <button
        type="button"
        class="btn btn-ghost btn-small"
        aria-pressed={reveal.value ? 'true' : 'false'}
        aria-controls={control.id}
        onClick={() => {
          reveal.value = !reveal.value
        }}
      >
        {reveal.value ? 'Hide' : 'Show'}
      </button>
    </div>
  )
}
