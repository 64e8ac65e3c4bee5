/**
 * "Replace value": a new value (and optionally a new description) →
 * `PUT /secrets/{name}`. The description is sent only when it was changed,
 * because the contract keeps the stored one when it is omitted.
 */
import { useModel } from '@preact/signals'
import { useRef } from 'preact/hooks'
import { FormModel } from '../models/form-model.ts'
import type { SecretsModel } from '../models/secrets-model.ts'
import { MAX_DESCRIPTION_CHARS, MAX_VALUE_BYTES, checkDescription, checkValue } from '../secret-rules.ts'
import type { ReplaceSecretInput, Secret } from '../types.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { Drawer } from '../ui/drawer.tsx'
import { Field } from '../ui/field.tsx'
import { ValueInput } from './value-input.tsx'

/** Props of {@link ReplaceSecretDrawer}. */
export interface ReplaceSecretDrawerProps {
  secrets: SecretsModel
  secret: Secret
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
}

const FORM_ID = 'replace-secret-form'

/** The drawer with the replace form. */
export function ReplaceSecretDrawer({ secrets, secret, onClose, fallbackFocus }: ReplaceSecretDrawerProps) {
  const form = useModel(() => new FormModel(['value', 'description']))
  const valueRef = useRef<HTMLInputElement>(null)
  const descriptionRef = useRef<HTMLInputElement>(null)
  const original = secret.description ?? ''

  function close() {
    if (valueRef.current) valueRef.current.value = ''
    onClose()
  }

  async function onSubmit(event: Event) {
    event.preventDefault()
    if (form.busy.value) return
    const value = valueRef.current!.value
    const description = descriptionRef.current!.value.trim()
    const problems = { value: checkValue(value), description: checkDescription(description) }
    form.setError('value', problems.value)
    form.setError('description', problems.description)
    if (problems.value) return valueRef.current!.focus()
    if (problems.description) return descriptionRef.current!.focus()

    const body: ReplaceSecretInput = { value }
    if (description !== original.trim()) body.description = description
    const result = await form.submit(() => secrets.replace(secret.name, body))
    if (result.ok) return close()
    if (result.field === 'value') valueRef.current?.focus()
    else if (result.field === 'description') descriptionRef.current?.focus()
    else document.getElementById(`${FORM_ID}-banner`)?.focus()
  }

  return (
    <Drawer
      title="Replace value"
      subtitle={<code>{secret.name}</code>}
      onClose={close}
      fallbackFocus={fallbackFocus}
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" form={FORM_ID} variant="primary" busy={form.busy.value} busyLabel="Saving…">
            Replace value
          </Button>
        </>
      }
    >
      <form id={FORM_ID} class="form" onSubmit={onSubmit} noValidate>
        {form.banner.value ? (
          <div id={`${FORM_ID}-banner`} tabIndex={-1}>
            <Banner tone="error">{form.banner}</Banner>
          </div>
        ) : null}
        <p class="muted">
          The old value is overwritten and cannot be recovered. Renders use the new value from the next request on.
        </p>
        <Field
          label="New value"
          error={form.errors.value['value']}
          hint={`Write-only. At most ${MAX_VALUE_BYTES.toLocaleString('en')} bytes of UTF-8.`}
        >
          {(control) => <ValueInput control={control} inputRef={valueRef} onEdit={() => form.setError('value', null)} />}
        </Field>
        <Field label="Description" optional error={form.errors.value['description']} hint={`Kept as it is unless you change it. One line, at most ${MAX_DESCRIPTION_CHARS} characters.`}>
          {(control) => (
            <input
              {...control}
              ref={descriptionRef}
              class="input"
              type="text"
              autoComplete="off"
              defaultValue={original}
              // Not secret, so it may be checked per keystroke (length, one line).
              onInput={(event) => form.setError('description', checkDescription(event.currentTarget.value.trim()))}
            />
          )}
        </Field>
      </form>
    </Drawer>
  )
}
