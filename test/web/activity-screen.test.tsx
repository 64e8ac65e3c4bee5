import { describe, expect, test } from 'bun:test'
import { fireEvent, waitFor, within } from '@testing-library/preact'
import { route } from '../../web/src/router.ts'
import type { AuditEntry } from '../../web/src/types.ts'
import { renderApp, settle, type } from './app-harness.tsx'
import { useHappyDom } from './dom.ts'
import { createFetchStub, errorReply, type StubReply } from './fetch-stub.ts'

useHappyDom()

function audit(id: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at: new Date(Date.UTC(2026, 10, 28, 13, 45, 0) - id * 60_000).toISOString(),
    secret: 'GITHUB_TOKEN',
    action: 'read',
    accessor: 'cli:root',
    label: null,
    token_id: null,
    client_address: null,
    reason: 'render mcp.json',
    outcome: 'ok',
    ...overrides,
  }
}

const PAGE_1 = [
  audit(1, { action: 'rotate', accessor: 'operator:alice', reason: 'http POST /secrets/GITHUB_TOKEN/rotate' }),
  audit(2, { secret: 'GONE', action: 'delete', accessor: 'operator:bob', reason: 'http DELETE /secrets/GONE' }),
  audit(3, { accessor: 'client:mcp-github', token_id: '0123456789abcdef', client_address: '10.0.0.7', reason: 'start github mcp' }),
  audit(4, { secret: 'SLACK_TOKEN', accessor: 'client:mcp-github', outcome: 'denied', reason: 'start github mcp' }),
  audit(5, { secret: null, action: 'authenticate', accessor: 'client:ci', outcome: 'denied', reason: 'token refused: expired' }),
  audit(6, { label: 'ci', reason: 'render compose.yml' }),
]


/** The app on `path`, with `GET /audit…` answered by `routes` from the start. */
async function openActivity(path: string, routes: Array<[string | RegExp, StubReply | (() => Promise<StubReply>)]> = []) {
  const stub = createFetchStub()
  stub.on('GET', /^\/audit(\?|$)/, { json: { entries: [], next_cursor: null } })
  for (const [p, reply] of routes) stub.on('GET', p, reply)
  const app = await renderApp({ path, stub })
  await settle()
  return app
}

const auditRequests = (app: Awaited<ReturnType<typeof renderApp>>) =>
  app.stub.requests.filter((r) => r.path.startsWith('/audit')).map((r) => r.path)

describe('Activity page', () => {
  test('loads the filters the URL holds, shows them in the form, and exports exactly those', async () => {
    const app = await openActivity('/settings/activity?secret=GITHUB_TOKEN&action=read&since=2026-11-01')
    expect(auditRequests(app)).toEqual(['/audit?secret=GITHUB_TOKEN&action=read&since=2026-11-01'])
    expect(app.getByRole('heading', { level: 1, name: 'Activity' })).toBeTruthy()
    const form = app.getByRole('form', { name: 'Filter activity' })
    expect((within(form).getByLabelText('Secret') as HTMLInputElement).value).toBe('GITHUB_TOKEN')
    expect((within(form).getByLabelText('What') as HTMLSelectElement).value).toBe('read')
    expect((within(form).getByLabelText(/^From/) as HTMLInputElement).value).toBe('2026-11-01')
    const exportLink = app.getByRole('link', { name: 'Export JSON lines' }) as HTMLAnchorElement
    expect(exportLink.getAttribute('href')).toBe('/audit/export?secret=GITHUB_TOKEN&action=read&since=2026-11-01')
    expect(exportLink.hasAttribute('download')).toBe(true)
    expect(app.getByRole('link', { name: 'Activity' }).getAttribute('aria-current')).toBe('page')
    expect(app.getByRole('link', { name: 'Secrets' }).getAttribute('aria-current')).toBeNull()
  })

  test('rows in plain words, the absolute UTC time beside the relative one, deleted secrets and refused tokens included', async () => {
    const app = await openActivity('/settings/activity', [['/audit', { json: { entries: PAGE_1, next_cursor: null } }]])
    const row = (id: number) => app.container.querySelector(`tr[data-entry="${id}"]`)!
    expect(row(1).querySelector('[data-action]')!.textContent).toBe('Re-encrypted under the current key')
    const reason = row(1).querySelector('[data-reason]')!
    expect(reason.textContent).toBe('in the web console or over the HTTP API')
    expect(reason.getAttribute('title')).toBe('http POST /secrets/GITHUB_TOKEN/rotate')
    expect(app.container.textContent).not.toContain('http POST')
    expect(row(1).querySelector('.abs-time')!.textContent).toBe('2026-11-28 13:44:00 UTC')
    expect(row(1).querySelector('time')!.getAttribute('dateTime')).toBe('2026-11-28T13:44:00.000Z')
    expect(row(2).textContent).toContain('GONE')
    expect(row(2).querySelector('[data-action]')!.textContent).toBe('Deleted')
    expect(row(3).textContent).toContain('client mcp-github')
    expect(row(3).textContent).toContain('from 10.0.0.7')
    expect(row(4).querySelector('[data-action]')!.textContent).toBe('Read refused: not granted')
    expect(row(4).textContent).toContain('Refused')
    expect(row(5).textContent).toContain('no secret')
    expect(row(5).querySelector('[data-action]')!.textContent).toBe('Client token refused')
    expect(row(5).querySelector('[data-reason]')!.textContent).toBe('token refused: expired token')
    expect(row(6).querySelector('[data-label]')!.textContent).toBe(' as “ci”')
    expect(row(6).querySelector('[data-reason]')!.textContent).toBe('render compose.yml')
    expect(app.container.querySelector('[data-count]')!.textContent).toBe('6 entries, that is all')
  })

  test('the count says "6+" while more pages exist; Load more follows the cursor with the same filters and focuses the first new row', async () => {
    const app = await openActivity('/settings/activity?accessor=cli%3Aroot', [
      ['/audit?accessor=cli%3Aroot', { json: { entries: PAGE_1, next_cursor: 'c1' } }],
      ['/audit?accessor=cli%3Aroot&cursor=c1', { json: { entries: [audit(7), audit(8)], next_cursor: null } }],
    ])
    expect(app.container.querySelector('[data-count]')!.textContent).toBe('Showing the newest 6+ entries')
    fireEvent.click(app.getByRole('button', { name: 'Load more' }))
    await settle()
    expect(auditRequests(app).at(-1)).toBe('/audit?accessor=cli%3Aroot&cursor=c1')
    expect(app.container.querySelectorAll('tbody tr')).toHaveLength(8)
    expect(app.container.querySelector('[data-count]')!.textContent).toBe('8 entries, that is all')
    expect(app.queryByRole('button', { name: 'Load more' })).toBeNull()
    expect(document.activeElement).toBe(app.container.querySelector('tr[data-entry="7"]'))
  })

  test('applying filters puts them in the URL and loads them; Clear filters empties both', async () => {
    const app = await openActivity('/settings/activity')
    const form = app.getByRole('form', { name: 'Filter activity' })
    type(within(form).getByLabelText('Secret'), 'GITHUB_TOKEN')
    fireEvent.change(within(form).getByLabelText('Outcome'), { target: { value: 'denied' } })
    type(within(form).getByLabelText(/^Before/), '2026-12-01T13:45Z')
    fireEvent.submit(form)
    await settle()
    expect(window.location.pathname).toBe('/settings/activity')
    expect(window.location.search).toBe('?secret=GITHUB_TOKEN&outcome=denied&until=2026-12-01T13%3A45Z')
    expect(route.value.query.get('outcome')).toBe('denied')
    expect(auditRequests(app).at(-1)).toBe('/audit?secret=GITHUB_TOKEN&outcome=denied&until=2026-12-01T13%3A45Z')
    fireEvent.click(app.getByRole('button', { name: 'Clear filters' }))
    await settle()
    expect(window.location.search).toBe('')
    expect(auditRequests(app).at(-1)).toBe('/audit')
  })

  test('a secret or accessor in a row filters by it', async () => {
    const app = await openActivity('/settings/activity', [['/audit', { json: { entries: PAGE_1, next_cursor: null } }]])
    fireEvent.click(within(app.container.querySelector('tr[data-entry="2"]') as HTMLElement).getByRole('link', { name: 'GONE' }))
    await settle()
    expect(window.location.search).toBe('?secret=GONE')
    expect(auditRequests(app).at(-1)).toBe('/audit?secret=GONE')
  })

  test('a filter the server refuses is shown at its field', async () => {
    const app = await openActivity('/settings/activity?since=yesterday', [
      ['/audit?since=yesterday', errorReply(400, 'validation_error', 'since must be an ISO 8601 UTC time', { field: 'since' })],
    ])
    const since = app.getByLabelText(/^From/)
    await waitFor(() => expect(since.getAttribute('aria-invalid')).toBe('true'))
    expect(document.getElementById(since.getAttribute('aria-describedby')!.split(' ')[0]!)!.textContent).toBe(
      'since must be an ISO 8601 UTC time',
    )
    expect(app.queryByRole('alert')).toBeNull()
  })

  test('a load answered after newer filters were applied is dropped', async () => {
    let release: (() => void) | undefined
    const app = await openActivity('/settings/activity')
    app.stub.on('GET', '/audit?secret=OLD', () => new Promise((resolve) => (release = () => resolve({ json: { entries: [audit(1, { secret: 'OLD' })], next_cursor: null } }))))
    app.stub.on('GET', '/audit?secret=NEW', { json: { entries: [audit(2, { secret: 'NEW' })], next_cursor: null } })
    const form = app.getByRole('form', { name: 'Filter activity' })
    type(within(form).getByLabelText('Secret'), 'OLD')
    fireEvent.submit(form)
    await settle()
    type(within(app.getByRole('form', { name: 'Filter activity' })).getByLabelText('Secret'), 'NEW')
    fireEvent.submit(app.getByRole('form', { name: 'Filter activity' }))
    await settle()
    release!()
    await settle()
    expect(Array.from(app.container.querySelectorAll('tbody tr')).map((r) => r.getAttribute('data-entry'))).toEqual(['2'])
  })
})
