/**
 * The list of secrets (metadata only: the API never returns a value) and the
 * actions on it. Each mutation updates the list from the server's answer
 * instead of reloading it, and leaves a short notice for the status line.
 *
 * Values pass through `create`/`replace` into the request and are not kept.
 */
import { computed, createModel, signal } from '@preact/signals'
import { ApiError } from '../api-error.ts'
import type { ApiClient } from '../api.ts'
import type { CreateSecretInput, ReplaceSecretInput, Secret } from '../types.ts'

/** Loading state of the list. */
export type SecretsStatus = 'idle' | 'loading' | 'ready' | 'error'

function byName(a: Secret, b: Secret): number {
  // Plain code-unit order, like the server's ORDER BY on ASCII names.
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/** Secrets of the store and what an operator can do to them. */
export const SecretsModel = createModel((api: ApiClient) => {
  const secrets = signal<Secret[]>([])
  const currentKeyId = signal<string | null>(null)
  const status = signal<SecretsStatus>('idle')
  /** why the list could not be loaded */
  const error = signal<string | null>(null)
  /** what the filter box holds */
  const filter = signal('')
  /** one line about the last successful change, for the polite status region */
  const notice = signal<string | null>(null)

  const visible = computed(() => {
    const needle = filter.value.trim().toLowerCase()
    if (needle === '') return secrets.value
    return secrets.value.filter(
      (s) => s.name.toLowerCase().includes(needle) || (s.description ?? '').toLowerCase().includes(needle),
    )
  })
  const previousKeyCount = computed(() => secrets.value.filter((s) => !s.key_current).length)

  function put(secret: Secret) {
    const rest = secrets.value.filter((s) => s.name !== secret.name)
    secrets.value = [...rest, secret].sort(byName)
  }

  /**
   * Runs a write sent with `If-Match`. On 412 `version_mismatch` (someone
   * else changed the secret since this page read it) the row is read again,
   * so the page shows their change and the next attempt sends their version,
   * and the write rejects with a message that says so: nothing is overwritten
   * without the operator seeing it first.
   */
  async function checked(name: string, write: () => Promise<Secret>): Promise<Secret> {
    try {
      return await write()
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 412) throw e
      let now = ''
      try {
        const fresh = await api.getSecret(name)
        put(fresh)
        if (fresh.version !== undefined) now = ` (it is now version ${fresh.version})`
      } catch (again) {
        if (!(again instanceof ApiError)) throw again
      }
      throw new ApiError({
        status: 412,
        code: 'version_mismatch',
        message: `Someone else changed ${name} while you were editing${now}. Nothing of yours was saved: check their change, then save again.`,
      })
    }
  }

  return {
    secrets,
    currentKeyId,
    status,
    error,
    filter,
    notice,
    visible,
    previousKeyCount,
    /** `GET /secrets`. Failures land in `error` (a 401 also ends the session through the client). */
    async load(): Promise<void> {
      status.value = 'loading'
      error.value = null
      try {
        const list = await api.listSecrets()
        secrets.value = [...list.secrets].sort(byName)
        currentKeyId.value = list.current_key_id
        status.value = 'ready'
      } catch (e) {
        if (!(e instanceof ApiError)) throw e
        error.value = e.message
        status.value = 'error'
      }
    },
    /** `POST /secrets`; rejects with ApiError for the form to place. */
    async create(input: CreateSecretInput): Promise<Secret> {
      const secret = await api.createSecret(input)
      put(secret)
      notice.value = `${secret.name} was added.`
      return secret
    },
    /** `PUT /secrets/{name}`, with `If-Match` when `ifVersion` is given; rejects with ApiError (412: see checked). */
    async replace(name: string, input: ReplaceSecretInput, ifVersion?: number): Promise<Secret> {
      const secret = await checked(name, () => api.replaceSecret(name, input, ifVersion))
      put(secret)
      notice.value = `The value of ${secret.name} was replaced.`
      return secret
    },
    /** `PATCH /secrets/{name}`: the description alone, with `If-Match`; rejects with ApiError (412: see checked). */
    async describe(name: string, description: string, ifVersion?: number): Promise<Secret> {
      const secret = await checked(name, () => api.updateDescription(name, description, ifVersion))
      put(secret)
      notice.value = `The description of ${secret.name} was changed.`
      return secret
    },
    /** `POST /secrets/{name}/rollback`: version `version`'s value as a new version; rejects with ApiError (412: see checked). */
    async rollback(name: string, version: number, ifVersion?: number): Promise<Secret> {
      const secret = await checked(name, () => api.rollback(name, version, ifVersion))
      put(secret)
      notice.value = `${secret.name} was rolled back to the value of version ${version}${secret.version === undefined ? '' : `, now version ${secret.version}`}.`
      return secret
    },
    /** `POST /secrets/{name}/rotate`; rejects with ApiError. */
    async rotate(name: string): Promise<Secret> {
      const secret = await api.rotateSecret(name)
      put(secret)
      notice.value = `${secret.name} is now encrypted under key ${secret.key_id}.`
      return secret
    },
    /** `DELETE /secrets/{name}`; rejects with ApiError. A 404 means it is gone already: dropped from the list too. */
    async remove(name: string): Promise<void> {
      try {
        await api.deleteSecret(name)
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) secrets.value = secrets.value.filter((s) => s.name !== name)
        throw e
      }
      secrets.value = secrets.value.filter((s) => s.name !== name)
      notice.value = `${name} was deleted. Its access log stays readable.`
    },
    /** Sets the filter text. */
    setFilter(text: string) {
      filter.value = text
    },
    /** Clears the status notice. */
    dismissNotice() {
      notice.value = null
    },
    /** Forgets everything (log out), so the next operator never sees the last one's list. */
    reset() {
      secrets.value = []
      currentKeyId.value = null
      status.value = 'idle'
      error.value = null
      filter.value = ''
      notice.value = null
    },
  }
})

/** An instance of {@link SecretsModel}. */
export type SecretsModel = InstanceType<typeof SecretsModel>
