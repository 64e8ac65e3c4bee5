/**
 * Rows of the audit log in plain words (audit-wording.ts), with the time
 * both relative and absolute in UTC, a count that says "50+" while more
 * pages exist, and "Load more". Used by the Activity page and by a client's
 * own history.
 */
import { useEffect, useRef } from 'preact/hooks'
import { accessorWords, actionWords, outcomeWords, reasonWords } from '../audit-wording.ts'
import type { ActivityModel } from '../models/activity-model.ts'
import { formatExactTime } from '../relative-time.ts'
import { navigate, PAGES, withQuery } from '../router.ts'
import type { AuditEntry } from '../types.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { RelativeTime } from '../ui/relative-time.tsx'

/** Props of {@link ActivityTable}. */
export interface ActivityTableProps {
  model: ActivityModel
  /** names and accessors link to the Activity page filtered by them (not inside a drawer) */
  links?: boolean
  /** what the rows are, for the table's accessible name */
  caption: string
}

function FilterLink({ param, value, children }: { param: 'secret' | 'accessor'; value: string; children: string }) {
  const href = withQuery(PAGES.activity, { [param]: value })
  return (
    <a
      href={href}
      title={`Only the activity of ${children}`}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
        event.preventDefault()
        navigate(href)
      }}
    >
      {children}
    </a>
  )
}

function Row({ entry, links }: { entry: AuditEntry; links: boolean }) {
  const reason = reasonWords(entry.reason)
  const who = accessorWords(entry.accessor)
  return (
    <tr data-entry={entry.id} tabIndex={-1}>
      <td class="cell-time">
        <RelativeTime iso={entry.at} />
        <span class="abs-time">{formatExactTime(entry.at)}</span>
      </td>
      <td>
        {entry.secret === null ? (
          <span class="muted">no secret</span>
        ) : links ? (
          <code>
            <FilterLink param="secret" value={entry.secret}>
              {entry.secret}
            </FilterLink>
          </code>
        ) : (
          <code>{entry.secret}</code>
        )}
      </td>
      <td data-action>{actionWords(entry)}</td>
      <td>
        <span title={entry.accessor}>{links ? <FilterLink param="accessor" value={entry.accessor}>{who}</FilterLink> : who}</span>
        {entry.label ? <span class="muted" data-label>{` as “${entry.label}”`}</span> : null}
        {entry.client_address ? <span class="muted abs-time">from {entry.client_address}</span> : null}
      </td>
      <td data-reason title={reason.raw}>
        {reason.text}
      </td>
      <td>
        <span class={entry.outcome === 'ok' ? 'badge badge-ok' : 'badge badge-error'}>{outcomeWords(entry.outcome)}</span>
      </td>
    </tr>
  )
}

/** The loaded rows of `model`, its count and "Load more". */
export function ActivityTable({ model, links = false, caption }: ActivityTableProps) {
  const tableRef = useRef<HTMLTableElement>(null)
  // The index of the first row "Load more" asked for, until it is rendered.
  const focusFrom = useRef<number | null>(null)
  const status = model.status.value
  const entries = model.entries.value
  const n = entries.length

  useEffect(() => {
    if (focusFrom.current === null || model.loadingMore.value) return
    // The button may be gone now (last page): focus the first new row instead of letting focus fall to <body>.
    const row = tableRef.current?.querySelectorAll<HTMLElement>('tbody tr')[focusFrom.current]
    focusFrom.current = null
    row?.focus()
  }, [n, model.loadingMore.value])

  function more() {
    focusFrom.current = model.entries.value.length
    void model.loadMore()
  }

  if (status === 'loading') {
    return (
      <p class="muted" role="status">
        Loading activity…
      </p>
    )
  }
  return (
    <section class="activity" aria-label={caption}>
      {model.error.value ? <Banner tone="error">{model.error}</Banner> : null}
      <p class="activity-count" role="status" data-count>
        {status === 'error'
          ? ''
          : n === 0
            ? 'No activity matches.'
            : model.hasMore.value
              ? `Showing the newest ${model.count.value} entries`
              : `${n} ${n === 1 ? 'entry' : 'entries'}, that is all`}
      </p>
      {n > 0 ? (
        <div class="table-wrap">
          <table class="table log-table activity-table" ref={tableRef}>
            <caption class="sr-only">{caption}</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Secret</th>
                <th scope="col">What</th>
                <th scope="col">Who</th>
                <th scope="col">Why</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <Row key={entry.id} entry={entry} links={links} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {model.hasMore.value ? (
        <Button busy={model.loadingMore.value} busyLabel="Loading…" onClick={more}>
          Load more
        </Button>
      ) : null}
    </section>
  )
}
