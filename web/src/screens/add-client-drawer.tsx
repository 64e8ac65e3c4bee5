/** `POST /clients`: a name, an optional description and the grant patterns. */
import { useModel } from '@preact/signals'
import { ApiError } from '../api-error.ts'
import type { ClientsModel } from '../models/clients-model.ts'
import { FormModel } from '../models/form-model.ts'
import { Banner } from '../ui/banner.tsx'
import { Drawer } from '../ui/drawer.tsx'
import { FormFooter } from '../ui/form-footer.tsx'
import { Field } from '../ui/field.tsx'

/** The patterns typed, one a line or separated by commas or spaces. */
export function parseGrants(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean)
}

/** Props of {@link AddClientDrawer}. */
export interface AddClientDrawerProps {
  clients: ClientsModel
  onClose: () => void
  /** called with the new client's name, e.g. to offer its first token */
  onAdded: (name: string) => void
  fallbackFocus?: () => HTMLElement | null | undefined
}

/** The add-client drawer. */
export function AddClientDrawer({ clients, onClose, onAdded, fallbackFocus }: AddClientDrawerProps) {
  const form = useModel(() => new FormModel(['name', 'description', 'grants']))
  const formId = 'add-client-form'

  async function submit(event: Event) {
    event.preventDefault()
    const data = new FormData(event.currentTarget as HTMLFormElement)
    const name = String(data.get('name') ?? '').trim()
    const description = String(data.get('description') ?? '').trim()
    const grants = parseGrants(String(data.get('grants') ?? ''))
    form.errors.value = {}
    const result = await form.submit(async () => {
      try {
        return await clients.add({ name, grants, ...(description ? { description } : {}) })
      } catch (e) {
        // The server names a pattern by its position (`grants.2`): show it at the grants field, counted from 1.
        const at = e instanceof ApiError ? /^grants\.(\d+)$/.exec(e.field ?? '') : null
        if (e instanceof ApiError && at) {
          const pattern = grants[Number(at[1])] ?? ''
          throw new ApiError({ status: e.status, code: e.code, field: 'grants', message: `Pattern ${Number(at[1]) + 1} (${pattern}): ${e.message.replace(/^grants\.\d+ /, '')}` })
        }
        throw e
      }
    })
    if (result.ok) onAdded(result.value.name)
  }

  return (
    <Drawer
      title="Add client"
      onClose={onClose}
      fallbackFocus={fallbackFocus}
      footer={
        <FormFooter formId={formId} onCancel={onClose} busy={form.busy.value} busyLabel="Adding…">
          Add client
        </FormFooter>
      }
    >
      <form id={formId} class="form" onSubmit={(e) => void submit(e)} noValidate>
        {form.banner.value ? <Banner tone="error">{form.banner}</Banner> : null}
        <Field label="Name" error={form.errors.value.name} hint="A lowercase letter, then lowercase letters, digits or -: mcp-github">
          {(control) => <input {...control} class="input" name="name" autoComplete="off" spellcheck={false} data-autofocus />}
        </Field>
        <Field label="Description" optional error={form.errors.value.description}>
          {(control) => <input {...control} class="input" name="description" autoComplete="off" />}
        </Field>
        <Field
          label="Grants"
          error={form.errors.value.grants}
          hint="The secrets it may read: one pattern a line, a name (GITHUB_TOKEN), a prefix ending in * (GITHUB_*), or * alone for every secret."
        >
          {(control) => <textarea {...control} class="input" name="grants" rows={4} spellcheck={false} />}
        </Field>
      </form>
    </Drawer>
  )
}
