/**
 * The audit log across secrets (`GET /audit`), for the Activity page and a
 * client's own history: the filters it was loaded with, the rows loaded so
 * far, and the server's cursor. A load for other filters makes the answers
 * of earlier loads stale (a version number, so a slow answer for the old
 * filters never lands over the new ones).
 */
import { computed, createModel, signal } from '@preact/signals'
import { ApiError } from '../api-error.ts'
import type { ApiClient } from '../api.ts'
import type { AuditEntry, AuditFilters } from '../types.ts'

/** Loading state of the first page. */
export type ActivityStatus = 'loading' | 'ready' | 'error'

/** A filter the server refused, with its message (400 `validation_error` naming it). */
export interface FilterError {
  field: string
  message: string
}

/** The activity of the filters given to `load()`. */
export const ActivityModel = createModel((api: ApiClient) => {
  const filters = signal<AuditFilters>({})
  const entries = signal<AuditEntry[]>([])
  const nextCursor = signal<string | null>(null)
  const status = signal<ActivityStatus>('loading')
  const loadingMore = signal(false)
  const error = signal<string | null>(null)
  const filterError = signal<FilterError | null>(null)
  let version = 0

  const hasMore = computed(() => nextCursor.value !== null)
  /** "50+" while the server has more pages: a count of loaded rows must never look final. */
  const count = computed(() => `${entries.value.length}${hasMore.value ? '+' : ''}`)

  function fail(e: unknown) {
    if (!(e instanceof ApiError)) throw e
    if (e.code === 'validation_error' && e.field) filterError.value = { field: e.field, message: e.message }
    else error.value = e.message
  }

  return {
    filters,
    entries,
    nextCursor,
    status,
    loadingMore,
    error,
    filterError,
    hasMore,
    count,
    /** The first page for `next` (the previous rows are dropped). */
    async load(next: AuditFilters): Promise<void> {
      const mine = ++version
      filters.value = next
      status.value = 'loading'
      error.value = null
      filterError.value = null
      entries.value = []
      nextCursor.value = null
      try {
        const page = await api.audit(next)
        if (mine !== version) return
        entries.value = page.entries
        nextCursor.value = page.next_cursor
        status.value = 'ready'
      } catch (e) {
        if (mine !== version) return
        fail(e)
        status.value = 'error'
      }
    },
    /** The next page of the same filters; nothing at the end or while one is loading. */
    async loadMore(): Promise<void> {
      const cursor = nextCursor.value
      if (cursor === null || loadingMore.value) return
      const mine = version
      loadingMore.value = true
      error.value = null
      try {
        const page = await api.audit(filters.value, { cursor })
        if (mine !== version) return
        const seen = new Set(entries.value.map((e) => e.id))
        entries.value = [...entries.value, ...page.entries.filter((e) => !seen.has(e.id))]
        nextCursor.value = page.next_cursor
      } catch (e) {
        if (mine === version) fail(e)
      } finally {
        loadingMore.value = false
      }
    },
  }
})

/** An instance of {@link ActivityModel}. */
export type ActivityModel = InstanceType<typeof ActivityModel>
