/**
 * One secret's access log, newest first, paged with the server's opaque
 * cursor. Reads and changes are split client-side from the same entries, so
 * "Load more" fills both tabs at once.
 */
import { computed, createModel, signal } from '@preact/signals'
import { ApiError } from '../api-error.ts'
import type { ApiClient } from '../api.ts'
import type { AccessLogEntry } from '../types.ts'

/** Loading state of the first page. */
export type AccessLogStatus = 'loading' | 'ready' | 'error'

/** The access log of secret `name`; call `load()` once after creating it. */
export const AccessLogModel = createModel((api: ApiClient, name: string) => {
  const entries = signal<AccessLogEntry[]>([])
  const nextCursor = signal<string | null>(null)
  const status = signal<AccessLogStatus>('loading')
  const loadingMore = signal(false)
  const error = signal<string | null>(null)

  const reads = computed(() => entries.value.filter((e) => e.action === 'read'))
  const changes = computed(() => entries.value.filter((e) => e.action !== 'read'))
  const hasMore = computed(() => nextCursor.value !== null)

  function append(page: AccessLogEntry[]) {
    // Pages are stable by contract; the id check only guards against a repeated click racing a slow answer.
    const seen = new Set(entries.value.map((e) => e.id))
    entries.value = [...entries.value, ...page.filter((e) => !seen.has(e.id))]
  }

  function fail(e: unknown) {
    if (!(e instanceof ApiError)) throw e
    error.value = e.message
  }

  return {
    entries,
    nextCursor,
    status,
    loadingMore,
    error,
    reads,
    changes,
    hasMore,
    /** First page. */
    async load(): Promise<void> {
      status.value = 'loading'
      error.value = null
      try {
        const page = await api.accessLog(name)
        entries.value = []
        append(page.entries)
        nextCursor.value = page.next_cursor
        status.value = 'ready'
      } catch (e) {
        fail(e)
        status.value = 'error'
      }
    },
    /** Next page, following `next_cursor`; does nothing at the end or while a page is loading. */
    async loadMore(): Promise<void> {
      const cursor = nextCursor.value
      if (cursor === null || loadingMore.value) return
      loadingMore.value = true
      error.value = null
      try {
        const page = await api.accessLog(name, { cursor })
        append(page.entries)
        nextCursor.value = page.next_cursor
      } catch (e) {
        fail(e)
      } finally {
        loadingMore.value = false
      }
    },
  }
})

/** An instance of {@link AccessLogModel}. */
export type AccessLogModel = InstanceType<typeof AccessLogModel>
