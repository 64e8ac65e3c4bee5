import { describe, expect, test } from 'bun:test'
import { fireEvent } from '@testing-library/preact'
import { useHappyDom } from './dom.ts'
import { CSRF, renderApp, settle, openRowAction } from './app-harness.tsx'
import { deferred, errorReply, type StubReply } from './fetch-stub.ts'
import { CURRENT_KEY, OLD_KEY, sampleSecrets, secretFixture } from './fixtures.ts'

useHappyDom()

async function openRotate(name = 'SLACK_WEBHOOK') {
  const app = await renderApp({ secrets: sampleSecrets() })
  const opener = openRowAction(app, name, 'Rotate')
  // happy-dom's accessible-name computation puts a space after the <code> element; browsers do not.
  const dialog = app.getByRole('dialog', { name: new RegExp(`^Rotate ${name} ?\\?$`) })
  return { ...app, opener, dialog }
}

describe('rotate confirmation', () => {
  test('explains what happens, names both keys, and focuses the action', async () => {
    const { dialog, getByRole } = await openRotate()
    expect(dialog.textContent).toContain(`current master key ${CURRENT_KEY}`)
    expect(dialog.textContent).toContain(`previous key ${OLD_KEY}`)
    expect(document.activeElement).toBe(getByRole('button', { name: 'Rotate' }))
  })

  test('POST /secrets/{name}/rotate with the CSRF token and no body; the previous-key mark goes', async () => {
    const { getByRole, stub, container, queryByRole, opener } = await openRotate()
    stub.on('POST', '/secrets/SLACK_WEBHOOK/rotate', { json: secretFixture({ name: 'SLACK_WEBHOOK', description: null }) })
    fireEvent.click(getByRole('button', { name: 'Rotate' }))
    await settle()
    expect(stub.mutations().map((r) => [r.method, r.path, r.headers['x-csrf-token'], r.rawBody])).toEqual([
      ['POST', '/secrets/SLACK_WEBHOOK/rotate', CSRF, undefined],
    ])
    expect(queryByRole('dialog')).toBeNull()
    const row = container.querySelector('tr[data-secret="SLACK_WEBHOOK"]')!
    expect(row.querySelector('.badge-warn')).toBeNull()
    expect(row.querySelector('.key-id')!.textContent).toBe(CURRENT_KEY)
    expect(container.querySelector('.banner-warning')).toBeNull()
    expect(container.querySelector('.toast-region .banner-text')!.textContent).toBe(`SLACK_WEBHOOK is now encrypted under key ${CURRENT_KEY}.`)
    expect(document.activeElement).toBe(opener)
  })

  test('busy while the request runs; Cancel and Esc are held', async () => {
    const { getByRole, stub, queryByRole } = await openRotate()
    const reply = deferred<StubReply>()
    stub.on('POST', '/secrets/SLACK_WEBHOOK/rotate', () => reply.promise)
    const action = getByRole('button', { name: 'Rotate' })
    fireEvent.click(action)
    await settle()
    expect(action.getAttribute('aria-busy')).toBe('true')
    expect((getByRole('button', { name: 'Cancel' }) as HTMLButtonElement).disabled).toBe(true)
    fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' })
    expect(queryByRole('dialog')).not.toBeNull()
    reply.resolve({ json: secretFixture({ name: 'SLACK_WEBHOOK' }) })
    await settle()
    expect(queryByRole('dialog')).toBeNull()
  })

  test('a failure shows in the dialog, which stays open', async () => {
    const { getByRole, stub, dialog } = await openRotate()
    stub.on('POST', '/secrets/SLACK_WEBHOOK/rotate', errorReply(500, 'internal_error', 'Something went wrong on the server.'))
    fireEvent.click(getByRole('button', { name: 'Rotate' }))
    await settle()
    expect(dialog.querySelector('[role="alert"]')!.textContent).toBe('Something went wrong on the server.')
  })

  test('Cancel sends nothing', async () => {
    const { getByRole, stub, queryByRole } = await openRotate('GITHUB_TOKEN')
    fireEvent.click(getByRole('button', { name: 'Cancel' }))
    expect(queryByRole('dialog')).toBeNull()
    expect(stub.mutations()).toEqual([])
  })
})
