/**
 * State of one form while it talks to the server: busy flag, errors per field
 * and a banner for errors that belong to no field. It routes an ApiError to
 * the field the server names (`field`), so every form shows server messages
 * in the right place without its own error plumbing.
 *
 * Deliberately holds no input values: secret values must never sit in a signal.
 */
import { createModel, signal } from '@preact/signals'
import { ApiError } from '../api-error.ts'

/** Errors keyed by field name. */
export type FieldErrors = Readonly<Record<string, string | undefined>>

/** What {@link FormModel}'s `submit` resolved to. */
export type SubmitResult<T> = { ok: true; value: T } | { ok: false; error: ApiError; field: string | undefined }

/**
 * A form's request state. `fields` are the names of the form's inputs as the
 * server spells them (`name`, `value`, `description`…).
 */
export const FormModel = createModel((fields: readonly string[]) => {
  const busy = signal(false)
  const errors = signal<FieldErrors>({})
  const banner = signal<string | null>(null)

  /** The field a server error belongs to, if it is one of this form's. */
  function fieldOf(error: ApiError): string | undefined {
    if (error.field !== undefined && fields.includes(error.field)) return error.field
    // 409 names no field in the contract, but it can only be about the name.
    if (error.code === 'already_exists' && fields.includes('name')) return 'name'
    return undefined
  }

  return {
    busy,
    errors,
    banner,
    /** Sets or clears (null) one field's message, e.g. from validation while typing. */
    setError(field: string, message: string | null) {
      errors.value = { ...errors.value, [field]: message ?? undefined }
    },
    /** Shows a message that belongs to no field. */
    setBanner(message: string | null) {
      banner.value = message
    },
    /**
     * Runs `task` with the form busy. Earlier server errors are cleared first;
     * an ApiError lands at its field or in the banner. Other errors are bugs
     * and are rethrown so they are not dressed up as server messages.
     */
    async submit<T>(task: () => Promise<T>): Promise<SubmitResult<T>> {
      busy.value = true
      banner.value = null
      try {
        const value = await task()
        return { ok: true, value }
      } catch (error) {
        if (!(error instanceof ApiError)) throw error
        const field = fieldOf(error)
        if (field !== undefined) errors.value = { ...errors.value, [field]: error.message }
        else banner.value = error.message
        return { ok: false, error, field }
      } finally {
        busy.value = false
      }
    },
    /** Whether any field currently shows an error. */
    hasErrors(): boolean {
      return Object.values(errors.value).some((message) => message !== undefined)
    },
  }
})

/** An instance of {@link FormModel}. */
export type FormModel = InstanceType<typeof FormModel>
