/**
 * How the list is looked at: the filter text and the sort, kept in the
 * page's query string (`?q=…&sort=rotated&dir=desc`) so a reload or a shared
 * link shows the same view. Only names and descriptions can be typed into the
 * filter: nothing secret reaches the URL.
 */
import type { Secret } from '../types.ts'

/** The columns the list sorts by. */
export type SortKey = 'name' | 'rotated' | 'read'
/** Sort direction. */
export type SortDir = 'asc' | 'desc'

/** The view the URL describes. */
export interface ListView {
  filter: string
  sort: SortKey
  dir: SortDir
}

/** The view when the URL says nothing: by name, A to Z. */
export const DEFAULT_VIEW: ListView = { filter: '', sort: 'name', dir: 'asc' }

const KEYS: readonly SortKey[] = ['name', 'rotated', 'read']

/** Reads a view from a query string; anything unknown falls back to the default. */
export function parseView(search: string): ListView {
  const q = new URLSearchParams(search)
  const sort = q.get('sort') as SortKey | null
  const dir = q.get('dir')
  return {
    filter: q.get('q') ?? '',
    sort: sort && KEYS.includes(sort) ? sort : DEFAULT_VIEW.sort,
    dir: dir === 'asc' || dir === 'desc' ? dir : DEFAULT_VIEW.dir,
  }
}

/** The query string for a view ('' for the default), other parameters of `search` kept. */
export function formatView(view: ListView, search = ''): string {
  const q = new URLSearchParams(search)
  for (const key of ['q', 'sort', 'dir']) q.delete(key)
  if (view.filter !== '') q.set('q', view.filter)
  if (view.sort !== DEFAULT_VIEW.sort || view.dir !== DEFAULT_VIEW.dir) {
    q.set('sort', view.sort)
    q.set('dir', view.dir)
  }
  const text = q.toString()
  return text ? `?${text}` : ''
}

/** Sorts by name, for every list the console keeps (secrets, clients). */
export function byName(a: { name: string }, b: { name: string }): number {
  // Plain code-unit order, like the server's ORDER BY on ASCII names.
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/** The secrets that match the filter (name or description, any case), in the view's order. */
export function applyView(secrets: readonly Secret[], view: ListView): Secret[] {
  const needle = view.filter.trim().toLowerCase()
  const matching =
    needle === ''
      ? [...secrets]
      : secrets.filter((s) => s.name.toLowerCase().includes(needle) || (s.description ?? '').toLowerCase().includes(needle))
  const time = (s: Secret) => (view.sort === 'rotated' ? s.rotated_at : (s.last_read?.at ?? ''))
  const sign = view.dir === 'asc' ? 1 : -1
  // ISO times sort as text; never-read secrets ('') come first going up, last going down. Ties by name.
  const compare = view.sort === 'name' ? byName : (a: Secret, b: Secret) => (time(a) < time(b) ? -1 : time(a) > time(b) ? 1 : 0) || sign * byName(a, b)
  return matching.sort((a, b) => sign * compare(a, b))
}
