/**
 * One secret's access log in a drawer: "Reads" (every decryption, with who
 * and why) and "Changes" (create, replace, rotate, delete), newest first,
 * with "Load more" following the server's cursor.
 */
import { useModel } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'
import type { ApiClient } from '../api.ts'
import { AccessLogModel } from '../models/access-log-model.ts'
import type { AccessLogEntry } from '../types.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { Drawer } from '../ui/drawer.tsx'
import { RelativeTime } from '../ui/relative-time.tsx'
import { Tabs } from '../ui/tabs.tsx'

/** Props of {@link AccessLogDrawer}. */
export interface AccessLogDrawerProps {
  api: ApiClient
  name: string
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
}

/** The access-log drawer of secret `name`. */
export function AccessLogDrawer({ api, name, onClose, fallbackFocus }: AccessLogDrawerProps) {
  const log = useModel(() => new AccessLogModel(api, name))
  useEffect(() => {
    void log.load()
  }, [])

  const status = log.status.value
  const loaded = log.entries.value.length

  // Focus goes to the first entry the page added (in the panel shown), so it
  // never falls to <body> when the last page removes the button; else to the count.
  // In an effect, so it runs once the new rows are rendered.
  const before = useRef<Set<number> | null>(null)
  async function loadMore() {
    before.current = new Set(log.entries.value.map((e) => e.id))
    await log.loadMore()
  }
  const loadingMore = log.loadingMore.value
  useEffect(() => {
    const seen = before.current
    if (!seen || loadingMore) return
    before.current = null
    const rows = Array.from(document.querySelectorAll<HTMLElement>('[role="tabpanel"]:not([hidden]) tr[data-entry]'))
    const target = rows.find((row) => !seen.has(Number(row.dataset['entry'])))
    const lost = document.activeElement === null || document.activeElement === document.body
    const where = target ?? (lost ? document.querySelector<HTMLElement>('.footer-note') : null)
    if (where) {
      where.tabIndex = -1
      where.focus()
    }
  }, [loaded, loadingMore])

  return (
    <Drawer
      title="Access log"
      subtitle={<code>{name}</code>}
      onClose={onClose}
      fallbackFocus={fallbackFocus}
      wide
      footer={
        <>
          <span class="muted footer-note" role="status">
            {status === 'ready' ? `${loaded} ${loaded === 1 ? 'entry' : 'entries'} loaded${log.hasMore.value ? '' : ', that is all'}` : ''}
          </span>
          {log.hasMore.value ? (
            <Button busy={log.loadingMore.value} busyLabel="Loading…" onClick={() => void loadMore()}>
              Load more
            </Button>
          ) : null}
          <Button onClick={onClose}>Close</Button>
        </>
      }
    >
      {log.error.value ? <Banner tone="error">{log.error}</Banner> : null}
      {status === 'loading' ? (
        <p class="muted" role="status">
          Loading the access log…
        </p>
      ) : status === 'error' ? (
        <Button onClick={() => void log.load()}>Try again</Button>
      ) : (
        <Tabs
          label="Access log views"
          items={[
            {
              id: 'reads',
              label: <>Reads <span class="count">{log.reads.value.length}</span></>,
              panel: <EntryTable entries={log.reads.value} kind="reads" />,
            },
            {
              id: 'changes',
              label: <>Changes <span class="count">{log.changes.value.length}</span></>,
              panel: <EntryTable entries={log.changes.value} kind="changes" />,
            },
          ]}
        />
      )}
    </Drawer>
  )
}

function EntryTable({ entries, kind }: { entries: AccessLogEntry[]; kind: 'reads' | 'changes' }) {
  if (entries.length === 0) {
    return <p class="muted empty-panel">{kind === 'reads' ? 'No reads loaded.' : 'No changes loaded.'}</p>
  }
  return (
    <table class="table log-table">
      <thead>
        <tr>
          <th scope="col">When</th>
          {kind === 'changes' ? <th scope="col">Action</th> : null}
          <th scope="col">Accessor</th>
          <th scope="col">Reason</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id} data-entry={entry.id}>
            <td class="cell-time">
              <RelativeTime iso={entry.at} />
            </td>
            {kind === 'changes' ? (
              <td>
                <span class={`badge badge-action badge-${entry.action}`}>{entry.action}</span>
              </td>
            ) : null}
            <td>
              <code>{entry.accessor}</code>
              {entry.label ? (
                <span class="muted" data-label>
                  {' '}
                  as “{entry.label}”
                </span>
              ) : null}
            </td>
            <td>{entry.reason ? entry.reason : <span class="muted">—</span>}</td>
            <td>
              <span class={entry.outcome === 'ok' ? 'badge badge-ok' : 'badge badge-error'}>{entry.outcome}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
