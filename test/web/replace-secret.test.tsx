import { describe, expect, test } from 'bun:test'
import { fireEvent } from '@testing-library/preact'
import { useHappyDom } from './dom.ts'
import { CSRF, expectNoTrace, renderApp, settle, type, openRowAction } from './app-harness.tsx'
import { errorReply } from './fetch-stub.ts'
import { daysAgo, sampleSecrets, secretFixture } from './fixtures.ts'

useHappyDom()

const VALUE = 'xoxb-new-value-9876543210'

async function openReplace(name = 'GITHUB_TOKEN') {
  const app = await renderApp({ secrets: sampleSecrets() })
  const opener = openRowAction(app, name, 'Replace value')
  const dialog = app.getByRole('dialog', { name: 'Replace value' })
  const value = app.getByLabelText('New value') as HTMLInputElement
  const description = app.getByLabelText('Description (optional)') as HTMLInputElement
  const submit = dialog.querySelector('button[type="submit"]') as HTMLButtonElement
  return { ...app, opener, dialog, value, description, submit }
}

describe('replace value drawer', () => {
  test('names the secret, focuses the value, and shows the current description', async () => {
    const { dialog, value, description } = await openReplace()
    expect(dialog.querySelector('.drawer-subtitle')!.textContent).toBe('GITHUB_TOKEN')
    expect(document.activeElement).toBe(value)
    expect(value.type).toBe('password')
    expect(description.value).toBe('forge token for the CI bot')
  })

  test('sends exactly {value} when the description is untouched; the row updates; the value is gone', async () => {
    const { value, submit, stub, container, queryByRole, opener } = await openReplace()
    const updated = secretFixture({ rotated_at: daysAgo(0) })
    stub.on('PUT', '/secrets/GITHUB_TOKEN', { json: updated })
    type(value, VALUE)
    fireEvent.click(submit)
    await settle()
    const [put, ...rest] = stub.mutations()
    expect(rest).toEqual([])
    expect([put!.method, put!.path, put!.headers['x-csrf-token'], put!.rawBody]).toEqual([
      'PUT',
      '/secrets/GITHUB_TOKEN',
      CSRF,
      JSON.stringify({ value: VALUE }),
    ])
    expect(queryByRole('dialog')).toBeNull()
    expect(container.querySelector('tr[data-secret="GITHUB_TOKEN"] time')!.textContent).toBe('just now')
    expect(container.querySelector('.toast-region .banner-text')!.textContent).toBe('The value of GITHUB_TOKEN was replaced.')
    expect(document.activeElement).toBe(opener)
    expect(value.value).toBe('')
    expect(expectNoTrace(VALUE)).toEqual([])
  })

  test('sends the description too when it was changed, and "" when it was cleared', async () => {
    for (const [typed, expected] of [
      ['new purpose', { value: VALUE, description: 'new purpose' }],
      ['', { value: VALUE, description: '' }],
    ] as const) {
      const { value, description, submit, stub, unmount } = await openReplace()
      stub.on('PUT', '/secrets/GITHUB_TOKEN', { json: secretFixture({ description: typed || null }) })
      type(value, VALUE)
      type(description, typed)
      fireEvent.click(submit)
      await settle()
      expect(stub.mutations()[0]!.body).toStrictEqual(expected)
      unmount()
    }
  })

  test('a secret without description sends none unless one is typed', async () => {
    const { value, submit, stub, description } = await openReplace('SLACK_WEBHOOK')
    expect(description.value).toBe('')
    stub.on('PUT', '/secrets/SLACK_WEBHOOK', { json: secretFixture({ name: 'SLACK_WEBHOOK' }) })
    type(value, VALUE)
    fireEvent.click(submit)
    await settle()
    expect(stub.mutations()[0]!.body).toStrictEqual({ value: VALUE })
  })

  test('needs a value; a server error about it appears at the field', async () => {
    const { value, submit, stub, getByText } = await openReplace()
    fireEvent.click(submit)
    getByText('Enter a value.')
    expect(stub.mutations()).toEqual([])
    stub.on('PUT', '/secrets/GITHUB_TOKEN', errorReply(400, 'validation_error', 'value must not be empty', { field: 'value' }))
    type(value, ' ')
    fireEvent.click(submit)
    await settle()
    expect(getByText('value must not be empty').id).toBe(value.getAttribute('aria-describedby')!.split(' ')[0]!)
  })

  test('404 (deleted meanwhile) shows in the banner and keeps the drawer open', async () => {
    const { value, submit, stub, dialog } = await openReplace()
    stub.on('PUT', '/secrets/GITHUB_TOKEN', errorReply(404, 'not_found', 'no secret named GITHUB_TOKEN'))
    type(value, VALUE)
    fireEvent.click(submit)
    await settle()
    expect(dialog.querySelector('[role="alert"]')!.textContent).toBe('no secret named GITHUB_TOKEN')
  })

  test('Cancel empties the value and sends nothing', async () => {
    const { value, stub, getByRole } = await openReplace()
    type(value, VALUE)
    fireEvent.click(getByRole('button', { name: 'Cancel' }))
    expect(value.value).toBe('')
    expect(stub.mutations()).toEqual([])
    expect(expectNoTrace(VALUE)).toEqual([])
  })
})
