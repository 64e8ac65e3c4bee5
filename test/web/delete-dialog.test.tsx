import { describe, expect, test } from 'bun:test'
import { fireEvent } from '@testing-library/preact'
import { useHappyDom } from './dom.ts'
import { CSRF, renderApp, settle, type, openRowAction } from './app-harness.tsx'
import { errorReply } from './fetch-stub.ts'
import { sampleSecrets } from './fixtures.ts'

useHappyDom()

async function openDelete(name = 'GITHUB_TOKEN') {
  const app = await renderApp({ secrets: sampleSecrets() })
  const opener = openRowAction(app, name, 'Delete')
  // happy-dom's accessible-name computation puts spaces around <code>; browsers do not.
  const dialog = app.getByRole('alertdialog', { name: new RegExp(`^Delete ${name} ?\\?$`) })
  const confirmInput = app.getByLabelText(new RegExp(`^Type ${name} ?to confirm$`)) as HTMLInputElement
  const action = app.getByRole('button', { name: 'Delete secret' }) as HTMLButtonElement
  return { ...app, dialog, confirmInput, action }
}

describe('delete confirmation', () => {
  test('asks to type the name, with focus in that field', async () => {
    const { dialog, confirmInput } = await openDelete()
    expect(document.activeElement).toBe(confirmInput)
    expect(dialog.textContent).toContain('${SECRET:GITHUB_TOKEN}')
    expect(dialog.textContent).toContain('access log stays readable')
  })

  test('the button stays disabled until the typed text matches exactly', async () => {
    const { confirmInput, action, stub } = await openDelete()
    expect(action.disabled).toBe(true)
    for (const partial of ['GITHUB', 'github_token', 'GITHUB_TOKEN ', ' GITHUB_TOKEN']) {
      type(confirmInput, partial)
      expect(action.disabled).toBe(true)
    }
    fireEvent.submit(action.form!)
    expect(stub.mutations()).toEqual([])
    type(confirmInput, 'GITHUB_TOKEN')
    expect(action.disabled).toBe(false)
  })

  test('DELETE /secrets/{name} with the CSRF token; the row goes, focus lands on the heading', async () => {
    const { confirmInput, action, stub, container, queryByRole, getByRole } = await openDelete()
    stub.on('DELETE', '/secrets/GITHUB_TOKEN', { status: 204 })
    type(confirmInput, 'GITHUB_TOKEN')
    fireEvent.click(action)
    await settle()
    expect(stub.mutations().map((r) => [r.method, r.path, r.headers['x-csrf-token'], r.rawBody])).toEqual([
      ['DELETE', '/secrets/GITHUB_TOKEN', CSRF, undefined],
    ])
    expect(queryByRole('alertdialog')).toBeNull()
    expect(container.querySelector('tr[data-secret="GITHUB_TOKEN"]')).toBeNull()
    expect(container.querySelectorAll('tbody tr')).toHaveLength(2)
    expect(container.querySelector('.toast-region .banner-text')!.textContent).toBe('GITHUB_TOKEN was deleted. Its access log stays readable.')
    expect(document.activeElement).toBe(getByRole('heading', { name: 'Secrets', level: 1 }))
  })

  test('Enter in the field submits once it matches', async () => {
    const { confirmInput, stub } = await openDelete()
    stub.on('DELETE', '/secrets/GITHUB_TOKEN', { status: 204 })
    type(confirmInput, 'GITHUB_TOKEN')
    fireEvent.submit(confirmInput.form!)
    await settle()
    expect(stub.mutations()).toHaveLength(1)
  })

  test('404 (already deleted elsewhere) closes the dialog and drops the row anyway', async () => {
    const { confirmInput, action, stub, container, queryByRole } = await openDelete()
    stub.on('DELETE', '/secrets/GITHUB_TOKEN', errorReply(404, 'not_found', 'no secret named GITHUB_TOKEN'))
    type(confirmInput, 'GITHUB_TOKEN')
    fireEvent.click(action)
    await settle()
    expect(queryByRole('alertdialog')).toBeNull()
    expect(container.querySelector('tr[data-secret="GITHUB_TOKEN"]')).toBeNull()
  })

  test('another failure stays in the dialog', async () => {
    const { confirmInput, action, stub, dialog } = await openDelete()
    stub.on('DELETE', '/secrets/GITHUB_TOKEN', errorReply(403, 'csrf_failed', 'missing or wrong X-CSRF-Token'))
    type(confirmInput, 'GITHUB_TOKEN')
    fireEvent.click(action)
    await settle()
    expect(dialog.querySelector('[role="alert"]')!.textContent).toBe('missing or wrong X-CSRF-Token')
  })
})
