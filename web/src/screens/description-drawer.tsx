/**
 * "Edit description": `PATCH /secrets/{name}` with the description alone;
 * the value is not touched and no value field is shown. It carries
 * `If-Match` with the version the drawer was opened on: when someone else
 * changed the secret meanwhile, the server answers 412 and the drawer says
 * so, showing their description beside the one typed (kept), and the next
 * Save sends the version now shown.
 */
import { useModel } from '@preact/signals'
import { useRef } from 'preact/hooks'
import { isVersionMismatch } from '../api-error.ts'
import { FormModel } from '../models/form-model.ts'
import type { SecretsModel } from '../models/secrets-model.ts'
import { checkDescription, MAX_DESCRIPTION_CHARS } from '../secret-rules.ts'
import type { Secret } from '../types.ts'
import { Banner } from '../ui/banner.tsx'
import { Drawer } from '../ui/drawer.tsx'
import { FormFooter } from '../ui/form-footer.tsx'
import { Field } from '../ui/field.tsx'

/** Props of {@link DescriptionDrawer}. */
export interface DescriptionDrawerProps {
  secrets: SecretsModel
  secret: Secret
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
}

/** The edit-description drawer. */
export function DescriptionDrawer({ secrets, secret, onClose, fallbackFocus }: DescriptionDrawerProps) {
  const form = useModel(() => new FormModel(['description']))
  const base = useRef(secret.version)
  const theirs = useRef<string | null>(null)
  const inputRef = useRef<HTMLInputElement>(null)
  const formId = 'description-form'

  async function submit(event: Event) {
    event.preventDefault()
    if (form.busy.value) return
    const description = inputRef.current!.value.trim()
    const problem = checkDescription(description)
    form.setError('description', problem)
    if (problem) return inputRef.current!.focus()
    const result = await form.submit(() => secrets.describe(secret.name, description, base.current))
    if (result.ok) return onClose()
    if (isVersionMismatch(result.error)) {
      const fresh = secrets.secrets.value.find((s) => s.name === secret.name)
      base.current = result.error.currentVersion ?? base.current
      theirs.current = fresh?.description ?? ''
      document.getElementById(`${formId}-banner`)?.focus()
    }
  }

  return (
    <Drawer
      title="Edit description"
      subtitle={<code>{secret.name}</code>}
      onClose={onClose}
      fallbackFocus={fallbackFocus}
      footer={
        <FormFooter formId={formId} onCancel={onClose} busy={form.busy.value} busyLabel="Saving…">
          Save description
        </FormFooter>
      }
    >
      <form id={formId} class="form" onSubmit={(e) => void submit(e)} noValidate>
        {form.banner.value ? (
          <div id={`${formId}-banner`} tabIndex={-1}>
            <Banner tone="error">
              {form.banner}
              {theirs.current !== null ? (
                <>
                  {' '}
                  Their description: <q data-theirs>{theirs.current || '(none)'}</q>
                </>
              ) : null}
            </Banner>
          </div>
        ) : null}
        <p class="muted">Only the description changes; the value and its version history stay as they are.</p>
        <Field label="Description" error={form.errors.value.description} hint={`One line, at most ${MAX_DESCRIPTION_CHARS} characters. Empty clears it.`}>
          {(control) => (
            <input
              {...control}
              ref={inputRef}
              class="input"
              type="text"
              autoComplete="off"
              defaultValue={secret.description ?? ''}
              data-autofocus
              onInput={(e) => form.setError('description', checkDescription(e.currentTarget.value.trim()))}
            />
          )}
        </Field>
      </form>
    </Drawer>
  )
}
