import { describe, expect, test } from 'bun:test'
import { act, fireEvent } from '@testing-library/preact'
import { useHappyDom } from './dom.ts'
import { CSRF, expectNoTrace, renderApp, settle, type } from './app-harness.tsx'
import { deferred, errorReply, type StubReply } from './fetch-stub.ts'
import { sampleSecrets, secretFixture } from './fixtures.ts'

useHappyDom()

const VALUE = 'ghp_s3cr3t-value-0123456789'

async function openAdd() {
  const app = await renderApp({ secrets: sampleSecrets() })
  const opener = app.getByRole('button', { name: 'Add secret' })
  opener.focus()
  fireEvent.click(opener)
  const dialog = app.getByRole('dialog', { name: 'Add secret' })
  const name = app.getByLabelText('Name') as HTMLInputElement
  const value = app.getByLabelText('Value') as HTMLInputElement
  const description = app.getByLabelText('Description (optional)') as HTMLInputElement
  const submit = dialog.querySelector('button[type="submit"]') as HTMLButtonElement
  return { ...app, opener, dialog, name, value, description, submit }
}

describe('add secret drawer', () => {
  test('opens with focus in the name field and a password input for the value', async () => {
    const { name, value } = await openAdd()
    expect(document.activeElement).toBe(name)
    expect(value.type).toBe('password')
    expect(value.hasAttribute('name')).toBe(false)
    expect(value.getAttribute('autocomplete')).toBe('off')
  })

  test('checks the name while typing with the server rule, and says which rule', async () => {
    const { name, getByText, queryByText } = await openAdd()
    type(name, 'github_token')
    const message = getByText(/\^\[A-Z\]\[A-Z0-9_\]\{0,127\}\$/, { selector: '.field-error' })
    expect(message.textContent).toContain('Lowercase letters are not allowed')
    expect(name.getAttribute('aria-invalid')).toBe('true')
    expect(name.getAttribute('aria-describedby')).toContain(message.id)
    type(name, 'GITHUB_TOKEN_2')
    expect(queryByText(/Use A–Z/, { selector: '.field-error' })).toBeNull()
    expect(name.hasAttribute('aria-invalid')).toBe(false)
    // The hint shows how the secret will be referenced.
    getByText('${SECRET:GITHUB_TOKEN_2}')
  })

  test('saves with exactly {name, value}: no description key when none was typed', async () => {
    const { name, value, submit, stub, container, queryByRole, opener } = await openAdd()
    stub.on('POST', '/secrets', { status: 201, json: secretFixture({ name: 'NEW_TOKEN', description: null }) })
    type(name, 'NEW_TOKEN')
    type(value, VALUE)
    fireEvent.click(submit)
    await settle()

    const [post, ...rest] = stub.mutations()
    expect(rest).toEqual([])
    expect(post!.method).toBe('POST')
    expect(post!.path).toBe('/secrets')
    expect(post!.headers['x-csrf-token']).toBe(CSRF)
    expect(post!.headers['content-type']).toBe('application/json')
    expect(post!.rawBody).toBe(JSON.stringify({ name: 'NEW_TOKEN', value: VALUE }))

    expect(queryByRole('dialog')).toBeNull()
    expect(container.querySelector('tr[data-secret="NEW_TOKEN"]')).not.toBeNull()
    expect(container.querySelector('.toast-region .banner-text')!.textContent).toBe('NEW_TOKEN was added.')
    expect(document.activeElement).toBe(opener)
    // The value: gone from the input that held it and from everywhere the page could keep it.
    expect(value.value).toBe('')
    expect(expectNoTrace(VALUE)).toEqual([])
  })

  test('sends the description, trimmed, when one was typed', async () => {
    const { name, value, description, submit, stub } = await openAdd()
    stub.on('POST', '/secrets', { status: 201, json: secretFixture({ name: 'NEW_TOKEN', description: 'for CI' }) })
    type(name, 'NEW_TOKEN')
    type(value, VALUE)
    type(description, '  for CI \n')
    fireEvent.click(submit)
    await settle()
    expect(stub.mutations()[0]!.body).toStrictEqual({ name: 'NEW_TOKEN', value: VALUE, description: 'for CI' })
  })

  test('a description of only spaces counts as none', async () => {
    const { name, value, description, submit, stub } = await openAdd()
    stub.on('POST', '/secrets', { status: 201, json: secretFixture({ name: 'NEW_TOKEN' }) })
    type(name, 'NEW_TOKEN')
    type(value, VALUE)
    type(description, '   ')
    fireEvent.click(submit)
    await settle()
    expect(stub.mutations()[0]!.body).toStrictEqual({ name: 'NEW_TOKEN', value: VALUE })
  })

  test('the value is required and its size is checked in UTF-8 bytes before sending', async () => {
    const { name, value, submit, stub, getByText } = await openAdd()
    type(name, 'BIG')
    fireEvent.click(submit)
    getByText('Enter a value.')
    expect(document.activeElement).toBe(value)
    type(value, 'é'.repeat(32_769))
    fireEvent.click(submit)
    getByText('At most 65,536 bytes of UTF-8 (this is 65,538).')
    expect(stub.mutations()).toEqual([])
  })

  test('an invalid name blocks the request and takes the focus', async () => {
    const { name, value, submit, stub } = await openAdd()
    type(name, '9LIVES')
    type(value, VALUE)
    fireEvent.click(submit)
    expect(stub.mutations()).toEqual([])
    expect(document.activeElement).toBe(name)
  })

  test('busy while saving: the button says so and a second submit sends nothing', async () => {
    const { name, value, submit, stub } = await openAdd()
    const reply = deferred<StubReply>()
    stub.on('POST', '/secrets', () => reply.promise)
    type(name, 'NEW_TOKEN')
    type(value, VALUE)
    fireEvent.click(submit)
    await settle()
    expect(submit.getAttribute('aria-busy')).toBe('true')
    expect(submit.textContent).toBe('Saving…')
    fireEvent.submit(submit.form!)
    expect(stub.mutations()).toHaveLength(1)
    reply.resolve({ status: 201, json: secretFixture({ name: 'NEW_TOKEN' }) })
    await settle()
    expect(value.value).toBe('')
  })

  test.each([
    ['value', errorReply(400, 'validation_error', 'value must be at most 65536 bytes of UTF-8', { field: 'value' })],
    ['description', errorReply(400, 'validation_error', 'description must be at most 500 characters', { field: 'description' })],
    ['name', errorReply(409, 'already_exists', 'a secret named NEW_TOKEN exists')],
  ] as const)('a server error about %s appears at that field, which gets the focus', async (field, reply) => {
    const app = await openAdd()
    app.stub.on('POST', '/secrets', reply)
    type(app.name, 'NEW_TOKEN')
    type(app.value, VALUE)
    fireEvent.click(app.submit)
    await settle()
    const input = app[field]
    const message = (reply.json as { error: { message: string } }).error.message
    const error = app.getByText(message)
    expect(error.classList.contains('field-error')).toBe(true)
    expect(input.getAttribute('aria-describedby')).toContain(error.id)
    expect(document.activeElement).toBe(input)
    // Still open, value kept so the operator can fix the other field without pasting again.
    expect(app.queryByRole('dialog')).not.toBeNull()
    expect(app.value.value).toBe(VALUE)
  })

  test('an error naming no field goes to the banner inside the drawer', async () => {
    const { name, value, submit, stub, dialog } = await openAdd()
    stub.on('POST', '/secrets', errorReply(500, 'internal_error', 'Something went wrong on the server.'))
    type(name, 'NEW_TOKEN')
    type(value, VALUE)
    fireEvent.click(submit)
    await settle()
    const alert = dialog.querySelector('[role="alert"]')!
    expect(alert.textContent).toBe('Something went wrong on the server.')
    expect(dialog.contains(document.activeElement)).toBe(true)
  })

  test('Cancel empties the value, sends nothing and returns focus to Add secret', async () => {
    const { value, stub, getByRole, queryByRole, opener } = await openAdd()
    type(value, VALUE)
    fireEvent.click(getByRole('button', { name: 'Cancel' }))
    expect(queryByRole('dialog')).toBeNull()
    expect(value.value).toBe('')
    expect(stub.mutations()).toEqual([])
    expect(document.activeElement).toBe(opener)
    expect(expectNoTrace(VALUE)).toEqual([])
  })

  test('Esc and the close button empty the value too', async () => {
    for (const how of ['escape', 'close'] as const) {
      const { value, getByRole, unmount } = await openAdd()
      type(value, VALUE)
      if (how === 'escape') fireEvent.keyDown(value, { key: 'Escape' })
      else fireEvent.click(getByRole('button', { name: 'Close' }))
      expect(value.value).toBe('')
      unmount()
    }
  })

  test('Show reveals the typed value for checking, without copying it anywhere', async () => {
    const { value, getByRole } = await openAdd()
    type(value, VALUE)
    const toggle = getByRole('button', { name: 'Show' })
    expect(toggle.getAttribute('aria-pressed')).toBe('false')
    fireEvent.click(toggle)
    expect(value.type).toBe('text')
    expect(toggle.getAttribute('aria-pressed')).toBe('true')
    expect(value.value).toBe(VALUE)
    expect(document.body.innerHTML.includes(VALUE)).toBe(false)
    fireEvent.click(getByRole('button', { name: 'Hide' }))
    expect(value.type).toBe('password')
  })

  test('the session ending while the drawer is open drops the value with it', async () => {
    const { value, session, getByRole } = await openAdd()
    type(value, VALUE)
    act(() => session.expire())
    getByRole('heading', { name: 'Log in' })
    expect(value.value).toBe('')
  })

  test('the description is checked while typing: one line, at most 500 characters', async () => {
    const { description, getByText, queryByText } = await openAdd()
    type(description, 'x'.repeat(501))
    getByText('At most 500 characters (this is 501).')
    expect(description.getAttribute('aria-invalid')).toBe('true')
    type(description, 'fine')
    expect(queryByText(/At most 500/)).toBeNull()
    // A text input already drops pasted line breaks (value sanitisation); other controls remain.
    type(description, 'ring\u0007bell')
    getByText('One line only: no line breaks, control characters or text-direction overrides.')
  })
})
