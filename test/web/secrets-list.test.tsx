import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { act, fireEvent, waitFor, within } from '@testing-library/preact'
import { useHappyDom } from './dom.ts'
import { CSRF, openRowAction, renderApp, settle, type } from './app-harness.tsx'
import { errorReply } from './fetch-stub.ts'
import { CURRENT_KEY, daysAgo, OLD_KEY, sampleSecrets, secretFixture } from './fixtures.ts'

useHappyDom()

const rowNames = (container: ParentNode) => Array.from(container.querySelectorAll('tbody tr')).map((tr) => tr.getAttribute('data-secret'))
const LONG = `L${'ONG_NAME_'.repeat(15)}`.slice(0, 128)

let copied: string[] = []
let clipboardFails = false
beforeEach(() => {
  history.replaceState(null, '', '/settings/secrets')
  copied = []
  clipboardFails = false
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: {
      writeText: async (text: string) => {
        if (clipboardFails) throw new Error('denied')
        copied.push(text)
      },
    },
  })
})
afterEach(() => history.replaceState(null, '', '/settings/secrets'))

function withReads() {
  return [
    secretFixture({ name: 'ANTHROPIC_API_KEY', rotated_at: daysAgo(12), last_read: { at: daysAgo(1), accessor: 'client:mcp' } }),
    secretFixture({ name: 'GITHUB_TOKEN', rotated_at: daysAgo(3), last_read: null }),
    secretFixture({ name: 'SLACK_WEBHOOK', rotated_at: daysAgo(40), last_read: { at: daysAgo(5), accessor: 'cli:ops' }, key_id: OLD_KEY, key_current: false }),
  ]
}

describe('secrets list at real sizes', () => {
  test('shows last read (when, by whom, or never) and the version', async () => {
    const { container } = await renderApp({ secrets: withReads().map((s, i) => ({ ...s, version: i + 1 })) })
    const read = (name: string) => container.querySelector(`tr[data-secret="${name}"] .cell-read`)!.textContent
    expect(read('ANTHROPIC_API_KEY')).toBe('Read 1 day ago by client:mcp')
    expect(read('GITHUB_TOKEN')).toBe('never read')
    expect(container.querySelector('tr[data-secret="SLACK_WEBHOOK"] .cell-version')!.textContent).toBe('Version v3')
    expect(Array.from(container.querySelectorAll('thead th'), (th) => th.textContent)).toContain('Version')
  })

  test('a row has two controls, its name and Copy ref; History, Edit description and the other actions are in the details drawer', async () => {
    const { container, getByRole } = await renderApp({ secrets: withReads() })
    const row = container.querySelector('tr[data-secret="GITHUB_TOKEN"]')!
    expect(Array.from(row.querySelectorAll('button, a, input'), (b) => b.getAttribute('aria-label') ?? b.textContent)).toEqual([
      'GITHUB_TOKEN: details and actions',
      'Copy ref of GITHUB_TOKEN',
    ])
    fireEvent.click(getByRole('button', { name: 'GITHUB_TOKEN: details and actions' }))
    await settle()
    const actions = getByRole('group', { name: 'Actions' })
    expect(Array.from(actions.querySelectorAll('button'), (b) => b.textContent)).toEqual([
      'Replace value',
      'Rotate',
      'Edit description',
      'History',
      'Access log',
      'Delete',
    ])
  })

  test('sorts by a column on click, says so in aria-sort, and keeps sort and filter in the URL', async () => {
    const { container, getByRole, getByPlaceholderText } = await renderApp({ secrets: withReads() })
    fireEvent.click(getByRole('button', { name: /^Last read/ }))
    expect(rowNames(container)).toEqual(['ANTHROPIC_API_KEY', 'SLACK_WEBHOOK', 'GITHUB_TOKEN'])
    expect(container.querySelector('th[aria-sort]')!.textContent).toContain('Last read')
    expect(container.querySelector('th[aria-sort]')!.getAttribute('aria-sort')).toBe('descending')
    expect(location.search).toBe('?sort=read&dir=desc')
    fireEvent.click(getByRole('button', { name: /^Last read/ }))
    expect(rowNames(container)).toEqual(['GITHUB_TOKEN', 'SLACK_WEBHOOK', 'ANTHROPIC_API_KEY'])
    fireEvent.click(getByRole('button', { name: /^Last rotated/ }))
    expect(rowNames(container)).toEqual(['GITHUB_TOKEN', 'ANTHROPIC_API_KEY', 'SLACK_WEBHOOK'])
    type(getByPlaceholderText('Filter by name or description'), 'a')
    await settle()
    expect(location.search).toBe('?q=a&sort=rotated&dir=desc')
  })

  test('a URL with a view opens in that view; unknown values fall back to the default', async () => {
    const first = await renderApp({ secrets: sampleSecrets(), path: '/settings/secrets?q=token&sort=rotated&dir=asc' })
    expect(rowNames(first.container)).toEqual(['GITHUB_TOKEN'])
    expect((first.getByPlaceholderText('Filter by name or description') as HTMLInputElement).value).toBe('token')
    first.unmount()
    const second = await renderApp({ secrets: sampleSecrets(), path: '/settings/secrets?sort=value&dir=sideways' })
    expect(rowNames(second.container)).toEqual(['ANTHROPIC_API_KEY', 'GITHUB_TOKEN', 'SLACK_WEBHOOK'])
  })

  test('the filter count is a live region', async () => {
    const { getByPlaceholderText, getAllByRole } = await renderApp({ secrets: sampleSecrets() })
    type(getByPlaceholderText('Filter by name or description'), 'slack')
    expect(getAllByRole('status').map((s) => s.textContent)).toContain('1 of 3')
  })

  test('a 128-character name is whole in the title and the details, and a row has two tab stops', async () => {
    const { container, getByRole } = await renderApp({ secrets: [secretFixture({ name: LONG })] })
    const row = container.querySelector(`tr[data-secret="${LONG}"]`)!
    expect(row.querySelector('.name-button')!.getAttribute('title')).toBe(LONG)
    expect(row.querySelectorAll('button, a[href], input')).toHaveLength(2)
    fireEvent.click(getByRole('button', { name: `${LONG}: details and actions` }))
    expect(getByRole('dialog', { name: 'Secret' }).querySelector('.full-name')!.textContent).toBe(LONG)
  })

  test('copy reference: the row button and the details put ${SECRET:NAME} on the clipboard and say so', async () => {
    const app = await renderApp({ secrets: sampleSecrets() })
    const row = app.container.querySelector('tr[data-secret="GITHUB_TOKEN"]') as HTMLElement
    fireEvent.click(within(row).getByRole('button', { name: 'Copy ref of GITHUB_TOKEN' }))
    await settle()
    expect(copied).toEqual(['${SECRET:GITHUB_TOKEN}'])
    expect(app.container.querySelector('.toast')!.textContent).toContain('Copied ${SECRET:GITHUB_TOKEN} to the clipboard.')
    fireEvent.click(app.getByRole('button', { name: 'GITHUB_TOKEN: details and actions' }))
    fireEvent.click(within(app.getByRole('dialog', { name: 'Secret' })).getByRole('button', { name: 'Copy reference' }))
    await settle()
    expect(copied).toEqual(['${SECRET:GITHUB_TOKEN}', '${SECRET:GITHUB_TOKEN}'])
  })

  test('when the browser refuses the clipboard, the notice shows the reference to copy by hand', async () => {
    clipboardFails = true
    const app = await renderApp({ secrets: sampleSecrets() })
    fireEvent.click(app.getByRole('button', { name: 'Copy ref of SLACK_WEBHOOK' }))
    await settle()
    expect(app.container.querySelector('.toast')!.textContent).toContain('The browser did not allow copying. The reference is ${SECRET:SLACK_WEBHOOK}')
  })

  test('the "added" notice offers to copy the new reference; the new row is highlighted and never read', async () => {
    const app = await renderApp({ secrets: sampleSecrets() })
    app.stub.on('POST', '/secrets', { status: 201, json: secretFixture({ name: 'NEW_ONE', description: null }) })
    fireEvent.click(app.getByRole('button', { name: 'Add secret' }))
    type(app.getByLabelText('Name'), 'NEW_ONE')
    type(app.getByLabelText('Value'), 'a value')
    fireEvent.submit(app.container.ownerDocument.getElementById('add-secret-form')!)
    await settle()
    const toast = app.container.querySelector('.toast') as HTMLElement
    expect(toast.textContent).toContain('NEW_ONE was added.')
    fireEvent.click(within(toast).getByRole('button', { name: 'Copy reference' }))
    await settle()
    expect(copied).toEqual(['${SECRET:NEW_ONE}'])
    const row = app.container.querySelector('tr[data-secret="NEW_ONE"]')!
    expect(row.classList.contains('row-changed')).toBe(true)
    expect(row.querySelector('.cell-read')!.textContent).toBe('never read')
  })

  test('the page behind an open drawer is inert, and stops being inert when it closes', async () => {
    const app = await renderApp({ secrets: sampleSecrets() })
    fireEvent.click(app.getByRole('button', { name: 'Add secret' }))
    const dialog = app.getByRole('dialog', { name: 'Add secret' })
    for (const selector of ['.skip-link', 'header.topbar', '.page-head', '.secret-list']) {
      expect({ selector, inert: document.querySelector(selector)!.closest('[inert]') !== null }).toEqual({ selector, inert: true })
    }
    expect(dialog.closest('[inert]')).toBeNull()
    // No banner or contentinfo landmark inside the dialog.
    expect(dialog.querySelectorAll('header, footer')).toHaveLength(0)
    fireEvent.keyDown(document, { key: 'Escape' })
    expect(document.querySelectorAll('[inert]')).toHaveLength(0)
  })

  test('a skip link leads to the main landmark; focus starts on the heading', async () => {
    const { getByRole } = await renderApp({ secrets: sampleSecrets() })
    expect(getByRole('link', { name: 'Skip to content' }).getAttribute('href')).toBe('#main')
    expect(getByRole('main').id).toBe('main')
    expect(document.activeElement).toBe(getByRole('heading', { level: 1, name: 'Secrets' }))
    expect(getByRole('navigation', { name: 'Main' }).querySelector('[aria-current="page"]')!.textContent).toBe('Secrets')
  })
})

describe('rotate all on previous keys', () => {
  const stale = () => [
    secretFixture({ name: 'A_OLD', key_id: OLD_KEY, key_current: false }),
    secretFixture({ name: 'B_OLD', key_id: OLD_KEY, key_current: false }),
    secretFixture({ name: 'C_NEW' }),
    secretFixture({ name: 'D_OLD', key_id: OLD_KEY, key_current: false }),
  ]

  test('rotates each stale secret in turn with the CSRF token, shows progress, and reports failures', async () => {
    const app = await renderApp({ secrets: stale() })
    const gates: Array<() => void> = []
    for (const name of ['A_OLD', 'D_OLD']) {
      app.stub.on('POST', `/secrets/${name}/rotate`, () => new Promise((resolve) => gates.push(() => resolve({ json: secretFixture({ name, key_id: CURRENT_KEY }) }))))
    }
    app.stub.on('POST', '/secrets/B_OLD/rotate', errorReply(409, 'conflict', 'changed while rotating; try again'))
    const banner = app.getByRole('region', { name: 'Previous master key' })
    expect(banner.textContent).toContain('3 secrets are still encrypted under a previous master key.')
    fireEvent.click(within(banner).getByRole('button', { name: 'Rotate all 3' }))
    await settle()
    expect(banner.querySelector('progress')!.getAttribute('value')).toBe('0')
    expect(within(banner).getByRole('status').textContent).toBe('Rotating 1 of 3…')
    gates.shift()!()
    await settle()
    expect(within(banner).getByRole('status').textContent).toBe('Rotating 3 of 3…')
    await waitFor(() => expect(gates).toHaveLength(1))
    gates.shift()!()
    await settle()
    const rotations = app.stub.mutations().filter((r) => r.path.endsWith('/rotate'))
    expect(rotations.map((r) => [r.path, r.headers['x-csrf-token']])).toEqual([
      ['/secrets/A_OLD/rotate', CSRF],
      ['/secrets/B_OLD/rotate', CSRF],
      ['/secrets/D_OLD/rotate', CSRF],
    ])
    const report = app.getByRole('region', { name: 'Previous master key' })
    expect(report.textContent).toContain('Done: 2 of 3 re-encrypted, 1 failed.')
    expect(report.textContent).toContain('B_OLD: changed while rotating; try again')
    expect(report.textContent).toContain('1 secret is still encrypted')
    expect(app.container.querySelectorAll('tbody .badge-warn')).toHaveLength(1)
  })

  test('a 401 stops the run: back to the login form', async () => {
    const app = await renderApp({ secrets: stale() })
    app.stub.on('POST', '/secrets/A_OLD/rotate', errorReply(401, 'unauthenticated', 'no valid session'))
    fireEvent.click(app.getByRole('button', { name: 'Rotate all 3' }))
    await settle()
    await waitFor(() => app.getByRole('heading', { name: 'Log in' }))
    expect(app.stub.mutations().filter((r) => r.path.endsWith('/rotate'))).toHaveLength(1)
  })

  test('no banner when every secret is under the current key', async () => {
    const app = await renderApp({ secrets: [secretFixture()] })
    expect(app.queryByRole('region', { name: 'Previous master key' })).toBeNull()
    await act(async () => {})
  })
})
