/**
 * The form both "Add secret" and "Replace value" are made of: an optional
 * name (checked while typing with the server's own rule), a write-only
 * value read from its uncontrolled input only at submit and emptied on
 * success, cancel or close, and a description. Client-side checks run
 * first and focus the first field in error; a server error lands at the
 * field it names, or in the banner.
 */
import { useModel, useSignal } from '@preact/signals'
import type { ComponentChildren } from 'preact'
import { useRef } from 'preact/hooks'
import { FormModel, type SubmitResult } from '../models/form-model.ts'
import { MAX_DESCRIPTION_CHARS, MAX_VALUE_BYTES, NAME_PATTERN, checkDescription, checkName, checkValue } from '../secret-rules.ts'
import { Banner } from '../ui/banner.tsx'
import { Drawer } from '../ui/drawer.tsx'
import { FormFooter } from '../ui/form-footer.tsx'
import { Field } from '../ui/field.tsx'
import { ValueInput } from './value-input.tsx'

/** What the form hands its owner on submit, after its own checks passed. */
export interface SecretFormValues {
  /** Only when the form asks for a name. */
  name?: string
  value: string
  /** Trimmed; '' when left empty. */
  description: string
}

/** Props of {@link SecretFormDrawer}. */
export interface SecretFormDrawerProps {
  formId: string
  title: string
  subtitle: ComponentChildren
  submitLabel: string
  /** Whether the form asks for a name (create) or works on a given one (replace). */
  withName: boolean
  /** A paragraph above the fields. */
  intro?: ComponentChildren
  valueLabel: string
  descriptionHint: string
  defaultDescription?: string
  /** what the name field starts with (a draft kept across a re-login) */
  defaultName?: string
  /** told the name and description as they are typed (never the value), to keep them across a re-login */
  onDraft?: (draft: { name?: string; description?: string }) => void
  /** Sends the request; resolves to the form model's submit result. */
  send: (values: SecretFormValues, form: FormModelInstance) => Promise<SubmitResult<unknown>>
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
}

type FormModelInstance = InstanceType<typeof FormModel>

/** The drawer with one secret form. */
export function SecretFormDrawer(props: SecretFormDrawerProps) {
  const { formId, withName } = props
  const form = useModel(() => new FormModel(withName ? ['name', 'value', 'description'] : ['value', 'description']))
  // The name is not secret, so it may be state: that is what lets it be checked per keystroke.
  const name = useSignal(props.defaultName ?? '')
  const nameRef = useRef<HTMLInputElement>(null)
  const valueRef = useRef<HTMLInputElement>(null)
  const descriptionRef = useRef<HTMLInputElement>(null)
  const refs: Record<string, { current: HTMLInputElement | null }> = { name: nameRef, value: valueRef, description: descriptionRef }

  function close() {
    if (valueRef.current) valueRef.current.value = ''
    props.onClose()
  }

  function focusProblem(field: string | undefined) {
    const ref = field === undefined ? undefined : refs[field]
    if (ref) ref.current?.focus()
    else document.getElementById(`${formId}-banner`)?.focus()
  }

  async function onSubmit(event: Event) {
    event.preventDefault()
    if (form.busy.value) return
    const value = valueRef.current!.value
    const description = descriptionRef.current!.value.trim()
    const problems: Array<[string, string | null]> = [
      ...(withName ? [['name', checkName(name.value)] as [string, string | null]] : []),
      ['value', checkValue(value)],
      ['description', checkDescription(description)],
    ]
    for (const [field, problem] of problems) form.setError(field, problem)
    const first = problems.find(([, problem]) => problem)
    if (first) return refs[first[0]]!.current!.focus()

    const result = await props.send({ ...(withName ? { name: name.value } : {}), value, description }, form)
    if (result.ok) return close()
    focusProblem(result.field)
  }

  return (
    <Drawer
      title={props.title}
      subtitle={props.subtitle}
      onClose={close}
      fallbackFocus={props.fallbackFocus}
      footer={
        <FormFooter formId={formId} onCancel={close} busy={form.busy.value} busyLabel="Saving…">
          {props.submitLabel}
        </FormFooter>
      }
    >
      <form id={formId} class="form" onSubmit={onSubmit} noValidate>
        {form.banner.value ? (
          <div id={`${formId}-banner`} tabIndex={-1}>
            <Banner tone="error">{form.banner}</Banner>
          </div>
        ) : null}
        {props.intro ? <p class="muted">{props.intro}</p> : null}
        {withName ? (
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
                  props.onDraft?.({ name: next })
                  // Silent while empty: "enter a name" before typing anything would only nag.
                  form.setError('name', next === '' ? null : checkName(next))
                }}
              />
            )}
          </Field>
        ) : null}
        <Field label={props.valueLabel} error={form.errors.value['value']} hint={`Write-only. At most ${MAX_VALUE_BYTES.toLocaleString('en')} bytes of UTF-8.`}>
          {(control) => <ValueInput control={control} inputRef={valueRef} onEdit={() => form.setError('value', null)} />}
        </Field>
        <Field label="Description" optional error={form.errors.value['description']} hint={`${props.descriptionHint} One line, at most ${MAX_DESCRIPTION_CHARS} characters.`}>
          {(control) => (
            <input
              {...control}
              ref={descriptionRef}
              class="input"
              type="text"
              autoComplete="off"
              defaultValue={props.defaultDescription}
              // Not secret, so it may be checked per keystroke (length, one line).
              onInput={(event) => {
                const text = event.currentTarget.value
                props.onDraft?.({ description: text })
                form.setError('description', checkDescription(text.trim()))
              }}
            />
          )}
        </Field>
      </form>
    </Drawer>
  )
}
