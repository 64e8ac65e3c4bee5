/**
 * "Add secret": name, value, description → `POST /secrets`.
 * The name is checked while typing with the server's own rule; the value is
 * read from its uncontrolled input only at submit and the input is emptied on
 * success, cancel or close. The request body carries exactly the fields the
 * operator filled: no empty description.
 */
import { useModel, useSignal } from '@preact/signals'
import { useRef } from 'preact/hooks'
import { FormModel } from '../models/form-model.ts'
import type { SecretsModel } from '../models/secrets-model.ts'
import { MAX_DESCRIPTION_CHARS, MAX_VALUE_BYTES, NAME_PATTERN, checkDescription, checkName, checkValue } from '../secret-rules.ts'
import type { CreateSecretInput } from '../types.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { Drawer } from '../ui/drawer.tsx'
import { Field } from '../ui/field.tsx'
import { ValueInput } from './value-input.tsx'

/** Props of {@link AddSecretDrawer}. */
export interface AddSecretDrawerProps {
  secrets: SecretsModel
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
}

const FORM_ID = 'add-secret-form'

/** The drawer with the create form. */
export function AddSecretDrawer({ secrets, onClose, fallbackFocus }: AddSecretDrawerProps) {
  const form = useModel(() => new FormModel(['name', 'value', 'description']))
  // The name is not secret, so it may be state: that is what lets it be checked per keystroke.
  const name = useSignal('')
  const nameRef = useRef<HTMLInputElement>(null)
  const valueRef = useRef<HTMLInputElement>(null)
  const descriptionRef = useRef<HTMLInputElement>(null)

  function close() {
    if (valueRef.current) valueRef.current.value = ''
    onClose()
  }

  async function onSubmit(event: Event) {
    event.preventDefault()
    if (form.busy.value) return
    const value = valueRef.current!.value
    const description = descriptionRef.current!.value.trim()
    const problems = {
      name: checkName(name.value),
      value: checkValue(value),
      description: checkDescription(description),
    }
    form.setError('name', problems.name)
    form.setError('value', problems.value)
    form.setError('description', problems.description)
    if (problems.name) return nameRef.current!.focus()
    if (problems.value) return valueRef.current!.focus()
    if (problems.description) return descriptionRef.current!.focus()

    const body: CreateSecretInput = { name: name.value, value }
    if (description !== '') body.description = description
    const result = await form.submit(() => secrets.create(body))
    if (result.ok) return close()
    focusProblem(result.field)
  }

  function focusProblem(field: string | undefined) {
    if (field === 'name') nameRef.current?.focus()
    else if (field === 'value') valueRef.current?.focus()
    else if (field === 'description') descriptionRef.current?.focus()
    else document.getElementById(`${FORM_ID}-banner`)?.focus()
  }

  return (
    <Drawer
      title="Add secret"
      subtitle="The value is encrypted at once and can never be read back here."
      onClose={close}
      fallbackFocus={fallbackFocus}
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" form={FORM_ID} variant="primary" busy={form.busy.value} busyLabel="Saving…">
            Add secret
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
        <Field
          label="Name"
          error={form.errors.value['name']}
          hint={
            <>
              Capital letters, digits and underscores, starting with a letter. Referenced as{' '}
              <code>{`\${SECRET:${NAME_PATTERN.test(name.value) ? name.value : 'NAME'}}`}</code>.
            </>
          }
        >
          {(control) => (
            <input
              {...control}
              ref={nameRef}
              class="input mono"
              type="text"
              autoComplete="off"
              autoCapitalize="characters"
              spellcheck={false}
              maxLength={128}
              value={name.value}
              onInput={(event) => {
                const next = event.currentTarget.value
                name.value = next
                // Silent while empty: "enter a name" before typing anything would only nag.
                form.setError('name', next === '' ? null : checkName(next))
              }}
            />
          )}
        </Field>
        <Field
          label="Value"
          error={form.errors.value['value']}
          hint={`Write-only. At most ${MAX_VALUE_BYTES.toLocaleString('en')} bytes of UTF-8.`}
        >
          {(control) => <ValueInput control={control} inputRef={valueRef} onEdit={() => form.setError('value', null)} />}
        </Field>
        <Field label="Description" optional error={form.errors.value['description']} hint={`What it is for, who owns it. One line, at most ${MAX_DESCRIPTION_CHARS} characters.`}>
          {(control) => (
            <input
              {...control}
              ref={descriptionRef}
              class="input"
              type="text"
              autoComplete="off"
              // Not secret, so it may be checked per keystroke (length, one line).
              onInput={(event) => form.setError('description', checkDescription(event.currentTarget.value.trim()))}
            />
          )}
        </Field>
      </form>
    </Drawer>
  )
}
