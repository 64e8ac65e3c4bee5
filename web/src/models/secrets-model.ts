/**
 * The list of secrets (metadata only: the API never returns a value) and the
 * actions on it. Each mutation updates the list from the server's answer
 * instead of reloading it, and leaves a short notice for the status line.
 *
 * Values pass through `create`/`replace` into the request and are not kept.
 */
import { computed, createModel, signal } from '@preact/signals'
import { ApiError, isVersionMismatch } from '../api-error.ts'
import type { ApiClient } from '../api.ts'
import type { CreateSecretInput, ReplaceSecretInput, Secret } from '../types.ts'
import { applyView, byName, DEFAULT_VIEW, type ListView, type SortKey } from './list-view.ts'

/** Loading state of the list. */
export type SecretsStatus = 'idle' | 'loading' | 'ready' | 'error'

/** Progress of "Rotate all": how many of `total` are done, which failed and why. */
export interface RotateAllProgress {
  total: number
  done: number
  failed: Array<{ name: string; message: string }>
  running: boolean
}

/** Secrets of the store and what an operator can do to them. */
export const SecretsModel = createModel((api: ApiClient) => {
  const secrets = signal<Secret[]>([])
  const currentKeyId = signal<string | null>(null)
  const status = signal<SecretsStatus>('idle')
  /** why the list could not be loaded */
  const error = signal<string | null>(null)
  /** filter and sort (the screen mirrors it in the URL) */
  const view = signal<ListView>(DEFAULT_VIEW)
  /** what the filter box holds */
  const filter = computed(() => view.value.filter)
  /** one line about the last successful change, for the polite status region */
  const notice = signal<string | null>(null)
  /** the secret the notice says was just added (the notice offers to copy its reference) */
  const added = signal<string | null>(null)
  /** the secret the last change was about, highlighted in the list */
  const changed = signal<string | null>(null)
  /** "Rotate all" while it runs and after, until dismissed */
  const rotation = signal<RotateAllProgress | null>(null)

  const visible = computed(() => applyView(secrets.value, view.value))
  const previousKeyCount = computed(() => secrets.value.filter((s) => !s.key_current).length)

  function put(secret: Secret) {
    const before = secrets.value.find((s) => s.name === secret.name)
    // Only the list carries last_read: a single secret's answer keeps what the list said.
    if (before?.last_read !== undefined && secret.last_read === undefined) secret = { ...secret, last_read: before.last_read }
    const rest = secrets.value.filter((s) => s.name !== secret.name)
    secrets.value = [...rest, secret].sort(byName)
  }

  /** An existing secret was written: it goes into the list, marked changed (not added), with `message` as the notice. */
  function written(secret: Secret, message: string): Secret {
    put(secret)
    changed.value = secret.name
    added.value = null
    notice.value = message
    return secret
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
      if (!isVersionMismatch(e)) throw e
      let now = e.currentVersion
      try {
        const fresh = await api.getSecret(name)
        put(fresh)
        now = fresh.version
      } catch (again) {
        if (!(again instanceof ApiError)) throw again
      }
      throw new ApiError({
        status: e.status,
        code: e.code,
        currentVersion: now,
        message: `Someone else changed ${name} while you were editing${now === undefined ? '' : ` (it is now version ${now})`}. Nothing of yours was saved: check their change, then save again.`,
      })
    }
  }

  return {
    secrets,
    currentKeyId,
    status,
    error,
    view,
    filter,
    notice,
    changed,
    added,
    rotation,
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
      // A new secret has never been read (the create answer, like any single secret's, has no last_read).
      const secret: Secret = { ...(await api.createSecret(input)), last_read: null }
      put(secret)
      changed.value = secret.name
      notice.value = `${secret.name} was added.`
      added.value = secret.name
      return secret
    },
    /** `PUT /secrets/{name}`, with `If-Match` when `ifVersion` is given; rejects with ApiError (412: see checked). */
    async replace(name: string, input: ReplaceSecretInput, ifVersion?: number): Promise<Secret> {
      const secret = await checked(name, () => api.replaceSecret(name, input, ifVersion))
      return written(secret, `The value of ${secret.name} was replaced.`)
    },
    /** `PATCH /secrets/{name}`: the description alone, with `If-Match`; rejects with ApiError (412: see checked). */
    async describe(name: string, description: string, ifVersion?: number): Promise<Secret> {
      const secret = await checked(name, () => api.updateDescription(name, description, ifVersion))
      return written(secret, `The description of ${secret.name} was changed.`)
    },
    /** `POST /secrets/{name}/rollback`: version `version`'s value as a new version; rejects with ApiError (412: see checked). */
    async rollback(name: string, version: number, ifVersion?: number): Promise<Secret> {
      const secret = await checked(name, () => api.rollback(name, version, ifVersion))
      return written(secret, `${secret.name} was rolled back to the value of version ${version}, now version ${secret.version}.`)
    },
    /** `POST /secrets/{name}/rotate`; rejects with ApiError. */
    async rotate(name: string): Promise<Secret> {
      const secret = await api.rotateSecret(name)
      return written(secret, `${secret.name} is now encrypted under key ${secret.key_id}.`)
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
      added.value = null
      notice.value = `${name} was deleted. Its access log stays readable.`
    },
    /**
     * Re-encrypts every secret still under a previous key, one
     * `POST /secrets/{name}/rotate` after the other, updating `rotation` as
     * it goes. A failure is recorded and the rest still run; a 401 stops it
     * (the session is gone).
     */
    async rotateAll(): Promise<void> {
      if (rotation.value?.running) return
      const names = secrets.value.filter((s) => !s.key_current).map((s) => s.name)
      rotation.value = { total: names.length, done: 0, failed: [], running: true }
      for (const name of names) {
        try {
          put(await api.rotateSecret(name))
          rotation.value = { ...rotation.value, done: rotation.value.done + 1 }
        } catch (e) {
          if (!(e instanceof ApiError)) throw e
          if (e.status === 401) break
          rotation.value = { ...rotation.value, done: rotation.value.done + 1, failed: [...rotation.value.failed, { name, message: e.message }] }
        }
      }
      const { done, failed } = rotation.value
      rotation.value = { ...rotation.value, running: false }
      added.value = null
      notice.value =
        failed.length === 0
          ? `${done} ${done === 1 ? 'secret was' : 'secrets were'} re-encrypted under the current key.`
          : `${done - failed.length} of ${names.length} re-encrypted; ${failed.length} failed.`
    },
    /** Hides the finished "Rotate all" report. */
    dismissRotation() {
      if (!rotation.value?.running) rotation.value = null
    },
    /** Sets the filter text. */
    setFilter(text: string) {
      view.value = { ...view.value, filter: text }
    },
    /** Sorts by `key`: a new column starts in its natural order (names A–Z, times newest first); the same one flips. */
    sortBy(key: SortKey) {
      const { sort, dir } = view.value
      const next = sort === key ? (dir === 'asc' ? 'desc' : 'asc') : key === 'name' ? 'asc' : 'desc'
      view.value = { ...view.value, sort: key, dir: next }
    },
    /** Sets the whole view (from the URL). */
    setView(next: ListView) {
      view.value = next
    },
    /** Clears the status notice. */
    dismissNotice() {
      notice.value = null
      added.value = null
    },
    /** Shows a notice of the page's own (a copy to the clipboard). */
    say(text: string) {
      notice.value = text
      added.value = null
    },
    /** Forgets everything (log out), so the next operator never sees the last one's list. */
    reset() {
      secrets.value = []
      currentKeyId.value = null
      status.value = 'idle'
      error.value = null
      view.value = DEFAULT_VIEW
      notice.value = null
      added.value = null
      changed.value = null
      rotation.value = null
    },
  }
})

/** An instance of {@link SecretsModel}. */
export type SecretsModel = InstanceType<typeof SecretsModel>
