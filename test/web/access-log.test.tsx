import { describe, expect, test } from 'bun:test'
import { fireEvent, within } from '@testing-library/preact'
import { useHappyDom } from './dom.ts'
import { renderApp, settle, openRowAction } from './app-harness.tsx'
import { errorReply } from './fetch-stub.ts'
import { entryFixture, sampleSecrets } from './fixtures.ts'

useHappyDom()

const PAGE_1 = [
  entryFixture(1, { reason: 'render mcp.json' }),
  entryFixture(2, { action: 'rotate', accessor: 'operator:alice', reason: null }),
  entryFixture(3, { accessor: 'cli:deploy', label: 'operator:bob', reason: 'render compose.yml', outcome: 'error' }),
  entryFixture(4, { action: 'create', accessor: 'operator:alice', reason: null }),
]
const PAGE_2 = [entryFixture(5, { reason: 'render older.json' }), entryFixture(6, { action: 'replace', accessor: 'operator:bob', reason: null })]

async function openLog(pages: { first?: unknown; second?: unknown } = {}) {
  const app = await renderApp({ secrets: sampleSecrets() })
  app.stub.on('GET', '/secrets/GITHUB_TOKEN/access-log', pages.first ?? { json: { entries: PAGE_1, next_cursor: 'c1' } })
  app.stub.on('GET', '/secrets/GITHUB_TOKEN/access-log?cursor=c1', pages.second ?? { json: { entries: PAGE_2, next_cursor: null } })
  const opener = openRowAction(app, 'GITHUB_TOKEN', 'Access log')
  await settle()
  const dialog = app.getByRole('dialog', { name: 'Access log' })
  return { ...app, dialog, opener }
}

function panelRows(dialog: HTMLElement, tab: string) {
  const tabEl = within(dialog).getByRole('tab', { name: new RegExp(`^${tab}`) })
  const panel = document.getElementById(tabEl.getAttribute('aria-controls')!)!
  return Array.from(panel.querySelectorAll('tbody tr')).map((tr) => Number(tr.getAttribute('data-entry')))
}

describe('access log drawer', () => {
  test('shows a declared label beside the accessor, never in its place', async () => {
    const { dialog } = await openLog()
    const row = dialog.querySelector('tr[data-entry="3"]')!
    expect(row.querySelector('code')!.textContent).toBe('cli:deploy')
    expect(row.querySelector('[data-label]')!.textContent).toBe(' as “operator:bob”')
    expect(dialog.querySelector('tr[data-entry="1"] [data-label]')).toBeNull()
  })

  test('fetches the first page of the secret, no query', async () => {
    const { stub, dialog } = await openLog()
    expect(stub.requests.filter((r) => r.path.includes('access-log')).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /secrets/GITHUB_TOKEN/access-log',
    ])
    expect(dialog.querySelector('.drawer-subtitle')!.textContent).toBe('GITHUB_TOKEN')
  })

  test('Reads holds the read entries, Changes everything else, each newest first', async () => {
    const { dialog } = await openLog()
    const tabs = within(dialog).getAllByRole('tab')
    expect(tabs.map((t) => t.textContent)).toEqual(['Reads 2', 'Changes 2'])
    expect(tabs[0]!.getAttribute('aria-selected')).toBe('true')
    expect(panelRows(dialog, 'Reads')).toEqual([1, 3])
    expect(panelRows(dialog, 'Changes')).toEqual([2, 4])
  })

  test('rows show when, who, why and the outcome; changes also show the action', async () => {
    const { dialog } = await openLog()
    const read = dialog.querySelector('tr[data-entry="3"]')!
    expect(Array.from(read.children).map((c) => c.textContent)).toEqual(['3 minutes ago', 'cli:deploy as “operator:bob”', 'render compose.yml', 'error'])
    expect(read.querySelector('time')!.getAttribute('datetime')).toBe(PAGE_1[2]!.at)
    const change = dialog.querySelector('tr[data-entry="2"]')!
    expect(Array.from(change.children).map((c) => c.textContent)).toEqual(['2 minutes ago', 'rotate', 'operator:alice', '—', 'ok'])
  })

  test('arrow keys switch between the tabs', async () => {
    const { dialog } = await openLog()
    const [reads, changes] = within(dialog).getAllByRole('tab')
    reads!.focus()
    fireEvent.keyDown(reads!, { key: 'ArrowRight' })
    expect(changes!.getAttribute('aria-selected')).toBe('true')
    expect(document.activeElement).toBe(changes!)
  })

  test('"Load more" follows next_cursor, appends to both tabs, and disappears at the end', async () => {
    const { dialog, stub, getByRole, queryByRole } = await openLog()
    fireEvent.click(getByRole('button', { name: 'Load more' }))
    await settle()
    expect(stub.requests.filter((r) => r.path.includes('access-log')).map((r) => r.path)).toEqual([
      '/secrets/GITHUB_TOKEN/access-log',
      '/secrets/GITHUB_TOKEN/access-log?cursor=c1',
    ])
    expect(panelRows(dialog, 'Reads')).toEqual([1, 3, 5])
    expect(panelRows(dialog, 'Changes')).toEqual([2, 4, 6])
    expect(queryByRole('button', { name: 'Load more' })).toBeNull()
    expect(dialog.querySelector('.footer-note')!.textContent).toBe('6 entries loaded, that is all')
    // The button is gone: focus went to the first entry the page added (in the tab shown), not to <body>.
    await settle()
    expect((document.activeElement as HTMLElement).getAttribute('data-entry')).toBe('5')
    expect(dialog.contains(document.activeElement)).toBe(true)
  })

  test('an empty log says so in each tab', async () => {
    const { dialog, queryByRole } = await openLog({ first: { json: { entries: [], next_cursor: null } } })
    expect(dialog.textContent).toContain('No reads loaded.')
    expect(queryByRole('button', { name: 'Load more' })).toBeNull()
  })

  test('a failed first page shows the error and a retry', async () => {
    const { dialog, stub, getByRole } = await openLog({ first: errorReply(500, 'internal_error', 'Something went wrong on the server.') })
    expect(dialog.querySelector('[role="alert"]')!.textContent).toBe('Something went wrong on the server.')
    stub.on('GET', '/secrets/GITHUB_TOKEN/access-log', { json: { entries: PAGE_1, next_cursor: null } })
    fireEvent.click(getByRole('button', { name: 'Try again' }))
    await settle()
    expect(panelRows(dialog, 'Reads')).toEqual([1, 3])
  })

  test('closes with Esc and returns focus to the row button', async () => {
    const { queryByRole, opener } = await openLog()
    fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' })
    expect(queryByRole('dialog')).toBeNull()
    expect(document.activeElement).toBe(opener)
  })
})
