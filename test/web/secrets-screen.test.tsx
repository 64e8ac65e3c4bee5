import { describe, expect, setSystemTime, test } from 'bun:test'
import { act, fireEvent, waitFor, within } from '@testing-library/preact'
import { now } from '../../web/src/clock.ts'
import { useHappyDom } from './dom.ts'
import { CSRF, expectNoTrace, openRowAction, renderApp, settle, type } from './app-harness.tsx'
import { errorReply } from './fetch-stub.ts'
import { CURRENT_KEY, OLD_KEY, sampleSecrets } from './fixtures.ts'

useHappyDom()

function rowNames(container: ParentNode) {
  return Array.from(container.querySelectorAll('tbody tr')).map((tr) => tr.getAttribute('data-secret'))
}

describe('secrets screen', () => {
  test('lists every secret by name with description, relative time, last read, key id and a copy-reference button', async () => {
    const secrets = sampleSecrets()
    const { container, stub, getByText } = await renderApp({ secrets })
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /session', 'GET /secrets'])
    expect(rowNames(container)).toEqual(['ANTHROPIC_API_KEY', 'GITHUB_TOKEN', 'SLACK_WEBHOOK'])
    getByText('Signed in as', { exact: false })

    const row = container.querySelector('tr[data-secret="GITHUB_TOKEN"]') as HTMLElement
    const cells = Array.from(row.children).map((cell) => cell.textContent)
    // "—" for last read: this answer (like a single secret's) carries none.
    expect(cells).toEqual(['GITHUB_TOKEN', 'forge token for the CI bot', 'Version v1', 'Rotated 3 days ago', '—', CURRENT_KEY, 'Copy ref of GITHUB_TOKEN'])
    const time = row.querySelector('time')!
    expect(time.getAttribute('datetime')).toBe(secrets[1]!.rotated_at)
    expect(time.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/)
  })

  test('marks a secret under a previous key, and only that one', async () => {
    const { container, getByRole } = await renderApp({ secrets: sampleSecrets() })
    const marks = Array.from(container.querySelectorAll('tbody .badge-warn'))
    expect(marks.map((m) => m.closest('tr')!.getAttribute('data-secret'))).toEqual(['SLACK_WEBHOOK'])
    expect(marks[0]!.textContent).toBe('previous key')
    const slack = container.querySelector('tr[data-secret="SLACK_WEBHOOK"]')!
    expect(slack.querySelector('.key-id')!.textContent).toBe(OLD_KEY)
    expect(slack.querySelector('.cell-description')!.textContent).toBe('—')
    expect(container.querySelector('.banner-warning')!.textContent).toContain('1 secret is still encrypted under a previous master key.')
  })

  test('the value column is always a mask: no value ever reaches the page', async () => {
    // A server that misbehaved and sent a value along: the page must still show none of it.
    const secrets = sampleSecrets().map((s, i) => ({ ...s, value: `SENTINEL-value-${i}` }))
    const { container } = await renderApp({ secrets })
    expect(container.querySelectorAll('tbody tr')).toHaveLength(3)
    expect(container.querySelector('tbody')!.textContent).not.toContain('SENTINEL')
    expect(expectNoTrace('SENTINEL-value')).toEqual([])
  })

  test('the filter matches name or description, case-insensitively', async () => {
    const { container, getByPlaceholderText, getByText } = await renderApp({ secrets: sampleSecrets() })
    const filter = getByPlaceholderText('Filter by name or description')
    type(filter, 'slack')
    expect(rowNames(container)).toEqual(['SLACK_WEBHOOK'])
    getByText('1 of 3')
    type(filter, 'CI BOT')
    expect(rowNames(container)).toEqual(['GITHUB_TOKEN'])
    type(filter, 'nothing like it')
    expect(container.querySelector('table')).toBeNull()
    getByText('No secret matches “nothing like it”.', { exact: false })
    fireEvent.click(getByText('Clear the filter'))
    expect(rowNames(container)).toEqual(['ANTHROPIC_API_KEY', 'GITHUB_TOKEN', 'SLACK_WEBHOOK'])
    expect((filter as HTMLInputElement).value).toBe('')
  })

  test('empty store: says how to add the first secret, here or with npx secrets set NAME', async () => {
    const { getByRole, container, queryByRole } = await renderApp({ secrets: [] })
    const empty = getByRole('region', { name: 'No secrets yet' })
    expect(empty.textContent).toContain('npx secrets set NAME')
    expect(queryByRole('table')).toBeNull()
    expect(container.querySelector('.banner-warning')).toBeNull()
    fireEvent.click(within(empty).getByRole('button', { name: 'Add your first secret' }))
    getByRole('dialog', { name: 'Add secret' })
  })

  test('a failed load shows the reason and a retry that loads again', async () => {
    const { stub, getByRole, container } = await renderApp({
      secretsReply: errorReply(500, 'internal_error', 'Something went wrong on the server.'),
    })
    expect(getByRole('alert').textContent).toBe('Something went wrong on the server.')
    stub.on('GET', '/secrets', { json: { secrets: sampleSecrets(), current_key_id: CURRENT_KEY } })
    fireEvent.click(getByRole('button', { name: 'Try again' }))
    await settle()
    expect(rowNames(container)).toEqual(['ANTHROPIC_API_KEY', 'GITHUB_TOKEN', 'SLACK_WEBHOOK'])
  })

  test('log out: DELETE /session with the CSRF token, back to the login form, list forgotten', async () => {
    const { stub, getByRole, secrets } = await renderApp({ secrets: sampleSecrets() })
    stub.on('DELETE', '/session', { status: 204 })
    fireEvent.click(getByRole('button', { name: 'Log out' }))
    await settle()
    const logout = stub.mutations()
    expect(logout.map((r) => [r.method, r.path, r.headers['x-csrf-token'], r.rawBody])).toEqual([['DELETE', '/session', CSRF, undefined]])
    getByRole('heading', { name: 'Log in' })
    expect(getByRole('status').textContent).toBe('You are logged out.')
    expect(secrets.secrets.value).toEqual([])
  })

  test('a 401 on any call ends the session: back to login with the reason', async () => {
    const app = await renderApp({ secrets: sampleSecrets() })
    const { stub, getByRole } = app
    stub.on('POST', '/secrets/GITHUB_TOKEN/rotate', errorReply(401, 'unauthenticated', 'no valid session'))
    openRowAction(app, 'GITHUB_TOKEN', 'Rotate')
    fireEvent.click(getByRole('button', { name: 'Rotate' }))
    await settle()
    await waitFor(() => getByRole('heading', { name: 'Log in' }))
    expect(getByRole('status').textContent).toBe('Your session has ended. Log in again.')
  })

  test('a clock tick updates "3 days ago" in place, without remounting the row', async () => {
    const { container } = await renderApp({ secrets: sampleSecrets() })
    const time = container.querySelector('tr[data-secret="GITHUB_TOKEN"] time')!
    expect(time.textContent).toBe('3 days ago')
    try {
      setSystemTime(new Date(Date.now() + 24 * 3600 * 1000))
      act(() => {
        now.value = Date.now()
      })
      const after = container.querySelector('tr[data-secret="GITHUB_TOKEN"] time')!
      expect(after).toBe(time)
      expect(after.textContent).toBe('4 days ago')
    } finally {
      setSystemTime()
    }
  })
})
