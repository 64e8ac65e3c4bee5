import { describe, expect, test } from 'bun:test'
import { act, fireEvent, waitFor } from '@testing-library/preact'
import { useHappyDom } from './dom.ts'
import { CSRF, expectNoTrace, renderApp, settle, type } from './app-harness.tsx'
import { errorReply } from './fetch-stub.ts'
import { sampleSecrets } from './fixtures.ts'

useHappyDom()

const PASSWORD = 'correct horse battery staple'

async function loginScreen() {
  const app = await renderApp({ loggedIn: false, secrets: sampleSecrets() })
  const username = app.getByLabelText('Username') as HTMLInputElement
  const password = app.getByLabelText('Password') as HTMLInputElement
  const submit = app.getByRole('button', { name: 'Log in' }) as HTMLButtonElement
  return { ...app, username, password, submit }
}

describe('login screen', () => {
  test('shows the form with focus in the username when GET /session answers 401', async () => {
    const { username, getByRole, stub } = await loginScreen()
    getByRole('heading', { name: 'Log in' })
    expect(document.activeElement).toBe(username)
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /session'])
  })

  test('posts exactly {username, password}, then lists secrets; the password leaves no trace', async () => {
    const { username, password, submit, stub, getByRole, getAllByRole } = await loginScreen()
    stub.on('POST', '/session', { json: { username: 'alice', csrf_token: CSRF } })
    type(username, ' alice ')
    type(password, PASSWORD)
    const passwordInput = password
    fireEvent.click(submit)
    await settle()
    await waitFor(() => getByRole('heading', { name: 'Secrets', level: 1 }))

    const login = stub.requests.find((r) => r.method === 'POST')!
    expect(login.path).toBe('/session')
    expect(login.rawBody).toBe(JSON.stringify({ username: 'alice', password: PASSWORD }))
    expect(login.headers['content-type']).toBe('application/json')
    expect(stub.requests.at(-1)!.path).toBe('/secrets')
    expect(getAllByRole('row')).toHaveLength(4) // header + 3 secrets
    expect(passwordInput.value).toBe('')
    expect(expectNoTrace(PASSWORD)).toEqual([])
  })

  test('the next mutation carries the CSRF token from the login answer', async () => {
    const { username, password, submit, stub, getByRole } = await loginScreen()
    stub.on('POST', '/session', { json: { username: 'alice', csrf_token: 'fresh-token' } })
    stub.on('DELETE', '/session', { status: 204 })
    type(username, 'alice')
    type(password, PASSWORD)
    fireEvent.click(submit)
    await settle()
    await waitFor(() => getByRole('button', { name: 'Log out' }))
    fireEvent.click(getByRole('button', { name: 'Log out' }))
    await settle()
    const logout = stub.requests.find((r) => r.method === 'DELETE')!
    expect(logout.headers['x-csrf-token']).toBe('fresh-token')
  })

  test('wrong password: inline message, password emptied and focused, username kept', async () => {
    const { username, password, submit, stub, getByRole } = await loginScreen()
    stub.on('POST', '/session', errorReply(401, 'unauthenticated', 'no valid session'))
    type(username, 'alice')
    type(password, 'wrong')
    fireEvent.click(submit)
    await settle()
    expect(getByRole('alert').textContent).toBe('Wrong username or password.')
    expect(password.value).toBe('')
    expect(username.value).toBe('alice')
    expect(document.activeElement).toBe(password)
    expect(submit.disabled).toBe(false)
  })

  test('429: "Too many attempts, try again in N s", counting down, button held until then', async () => {
    const { username, password, submit, stub, getByRole, queryByText, session } = await loginScreen()
    stub.on('POST', '/session', errorReply(429, 'rate_limited', 'too many failed logins', { headers: { 'Retry-After': '30' } }))
    type(username, 'alice')
    type(password, 'guess')
    fireEvent.click(submit)
    await settle()
    expect(getByRole('alert').textContent).toBe('Too many attempts, try again in 30 s')
    expect(submit.disabled).toBe(true)
    act(() => session.tick())
    expect(getByRole('alert').textContent).toBe('Too many attempts, try again in 29 s')
    act(() => {
      for (let i = 0; i < 29; i++) session.tick()
    })
    expect(queryByText(/Too many attempts/)).toBeNull()
    expect(submit.disabled).toBe(false)
  })

  test('a server validation error appears at the field it names', async () => {
    const { username, password, submit, stub, getByText } = await loginScreen()
    stub.on('POST', '/session', errorReply(400, 'validation_error', 'username is required', { field: 'username' }))
    type(username, 'x')
    type(password, 'y')
    fireEvent.click(submit)
    await settle()
    const message = getByText('username is required')
    expect(username.getAttribute('aria-invalid')).toBe('true')
    expect(username.getAttribute('aria-describedby')).toContain(message.id)
    expect(document.activeElement).toBe(username)
  })

  test('empty fields are caught before any request', async () => {
    const { submit, stub, getByText, username } = await loginScreen()
    fireEvent.click(submit)
    await settle()
    getByText('Enter your username.')
    getByText('Enter your password.')
    expect(document.activeElement).toBe(username)
    expect(stub.mutations()).toEqual([])
  })

  test('a server that cannot be asked at start says why and offers to try again', async () => {
    const app = await renderApp({ sessionReply: errorReply(503, 'internal_error', 'The server is starting.') })
    expect(app.getByRole('alert').textContent).toBe('The server is starting.')
    app.stub.on('GET', '/session', errorReply(401, 'unauthenticated', 'no session'))
    fireEvent.click(app.getByRole('button', { name: 'Try again' }))
    await settle()
    app.getByRole('heading', { name: 'Log in' })
  })
})
