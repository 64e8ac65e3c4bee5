import { describe, expect, test } from 'bun:test'
import { act, fireEvent, waitFor } from '@testing-library/preact'
import { useHappyDom } from './dom.ts'
import { CSRF, renderApp, settle, type } from './app-harness.tsx'
import { errorReply } from './fetch-stub.ts'
import { sampleSecrets } from './fixtures.ts'

useHappyDom()

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString()
const sessionEnding = (ms: number, absoluteMs = 12 * 3600_000) => ({
  json: { username: 'alice', csrf_token: CSRF, expires_at: inMs(ms), absolute_expires_at: inMs(absoluteMs), idle_timeout_seconds: 1800 },
})

describe('session expiry', () => {
  test('warns before an idle end; "Stay signed in" asks the server and the warning goes', async () => {
    const app = await renderApp({ secrets: sampleSecrets(), sessionReply: sessionEnding(30 * 60_000) })
    await waitFor(() => app.getByRole('heading', { level: 1, name: 'Secrets' }))
    const warning = () => document.querySelector('.session-warning')
    expect(warning()).toBeNull()
    // The server says the idle end is near (as after 28 minutes without a request).
    app.stub.on('GET', '/session', sessionEnding(90_000))
    await act(() => app.session.extend())
    expect(warning()!.textContent).toContain('Your session ends in 2 minutes unless you use the page.')
    app.stub.on('GET', '/session', sessionEnding(30 * 60_000))
    fireEvent.click(app.getByRole('button', { name: 'Stay signed in' }))
    await settle()
    expect(warning()).toBeNull()
    expect(app.stub.requests.filter((r) => r.path === '/session')).toHaveLength(3)
  })

  test('with a drawer open, the warning shows inside it (the page behind is inert) and can be answered there', async () => {
    const app = await renderApp({ secrets: sampleSecrets(), sessionReply: sessionEnding(30 * 60_000) })
    await waitFor(() => app.getByRole('heading', { level: 1, name: 'Secrets' }))
    fireEvent.click(app.getByRole('button', { name: 'Add secret' }))
    const dialog = app.getByRole('dialog', { name: 'Add secret' })
    expect(document.activeElement).toBe(app.getByLabelText('Name'))
    app.stub.on('GET', '/session', sessionEnding(90_000))
    await act(() => app.session.extend())
    const inside = dialog.querySelector('.session-warning')
    expect(inside!.textContent).toContain('Your session ends in 2 minutes')
    expect(inside!.closest('[inert]')).toBeNull()
    // Focus stayed in the form.
    expect(document.activeElement).toBe(app.getByLabelText('Name'))
    app.stub.on('GET', '/session', sessionEnding(30 * 60_000))
    fireEvent.click(inside!.querySelector('button')!)
    await settle()
    expect(dialog.querySelector('.session-warning')).toBeNull()
  })

  test('the 12-hour limit cannot be extended: the warning says so and offers no "Stay signed in"', async () => {
    const app = await renderApp({ secrets: sampleSecrets(), sessionReply: sessionEnding(90_000, 90_000) })
    await waitFor(() => app.getByRole('heading', { level: 1, name: 'Secrets' }))
    expect(document.querySelector('.session-warning')!.textContent).toContain('Your session reaches its time limit in 2 minutes; log in again then.')
    expect(app.queryByRole('button', { name: 'Stay signed in' })).toBeNull()
  })

  test('no warning while the end is far; any other answered request moves the end on', async () => {
    const app = await renderApp({ secrets: sampleSecrets(), sessionReply: sessionEnding(10 * 60_000) })
    await waitFor(() => app.getByRole('heading', { level: 1, name: 'Secrets' }))
    expect(document.querySelector('.session-warning')).toBeNull()
    // GET /secrets was answered after the session: last request + 30 min - 1 min (the server's touch interval).
    const left = app.session.expiresAt.value! - Date.now()
    expect(left).toBeGreaterThan(28 * 60_000)
    expect(left).toBeLessThanOrEqual(29 * 60_000)
  })

  test('at the expected end it asks the server; a 401 goes back to the login form with the reason', async () => {
    const app = await renderApp({ secrets: sampleSecrets(), sessionReply: sessionEnding(50, 50) })
    await waitFor(() => app.getByRole('heading', { level: 1, name: 'Secrets' }))
    app.stub.on('GET', '/session', errorReply(401, 'unauthenticated', 'no session'))
    await waitFor(() => app.getByRole('heading', { name: 'Log in' }), { timeout: 5000 })
    expect(document.body.textContent).toContain('Your session has ended. Log in again.')
  })
})

describe('a form open when the session ends', () => {
  async function expireWithDraft() {
    const app = await renderApp({ secrets: sampleSecrets() })
    fireEvent.click(app.getByRole('button', { name: 'Add secret' }))
    type(app.getByLabelText('Name'), 'HALF_TYPED')
    type(app.getByLabelText('Value'), 'SENTINEL-draft-value')
    type(app.getByLabelText('Description (optional)'), 'typed before the end')
    app.stub.on('POST', '/secrets', errorReply(401, 'unauthenticated', 'no valid session'))
    fireEvent.submit(document.getElementById('add-secret-form')!)
    await settle()
    await waitFor(() => app.getByRole('heading', { name: 'Log in' }))
    return app
  }

  async function logIn(app: Awaited<ReturnType<typeof renderApp>>, who: string) {
    app.stub.on('POST', '/session', { json: { username: who, csrf_token: CSRF } })
    type(app.getByLabelText('Username'), who)
    type(app.getByLabelText('Password'), 'a password long enough')
    fireEvent.click(app.getByRole('button', { name: 'Log in' }))
    await settle()
    await settle()
  }

  test('comes back after the same operator logs in: name and description kept, the value never', async () => {
    const app = await expireWithDraft()
    expect(document.body.innerHTML).not.toContain('SENTINEL-draft-value')
    await logIn(app, 'alice')
    const dialog = await waitFor(() => app.getByRole('dialog', { name: 'Add secret' }))
    expect((app.getByLabelText('Name') as HTMLInputElement).value).toBe('HALF_TYPED')
    expect((app.getByLabelText('Description (optional)') as HTMLInputElement).value).toBe('typed before the end')
    expect((app.getByLabelText('Value') as HTMLInputElement).value).toBe('')
    expect(dialog).toBeTruthy()
  })

  test('another operator logging in does not get it', async () => {
    const app = await expireWithDraft()
    await logIn(app, 'bob')
    await waitFor(() => app.getByRole('heading', { level: 1, name: 'Secrets' }))
    expect(app.queryByRole('dialog')).toBeNull()
    expect(app.session.draft.value).toBeNull()
  })

  test('a form closed by the operator leaves nothing to restore', async () => {
    const app = await renderApp({ secrets: sampleSecrets() })
    fireEvent.click(app.getByRole('button', { name: 'Add secret' }))
    type(app.getByLabelText('Name'), 'CANCELLED')
    fireEvent.click(app.getByRole('button', { name: 'Cancel' }))
    expect(app.session.draft.value).toBeNull()
  })
})

describe('log out', () => {
  test('clears the page even when the server cannot be reached, and says the server was not told', async () => {
    const app = await renderApp({ secrets: sampleSecrets() })
    app.stub.on('DELETE', '/session', () => {
      throw new TypeError('Failed to fetch')
    })
    fireEvent.click(app.getByRole('button', { name: 'Log out' }))
    await settle()
    app.getByRole('heading', { name: 'Log in' })
    expect(app.secrets.secrets.value).toEqual([])
    expect(document.body.textContent).not.toContain('GITHUB_TOKEN')
    expect(document.body.textContent).toContain('You are logged out of this page, but the server could not be told')
  })

  test('a 500 on log out clears the page too', async () => {
    const app = await renderApp({ secrets: sampleSecrets() })
    app.stub.on('DELETE', '/session', errorReply(500, 'internal_error', 'Something went wrong on the server.'))
    fireEvent.click(app.getByRole('button', { name: 'Log out' }))
    await settle()
    app.getByRole('heading', { name: 'Log in' })
    expect(document.body.textContent).not.toContain('GITHUB_TOKEN')
  })
})
