/**
 * The versions UI against a fetch stub shaped by DESIGN.md "Versions and
 * check-and-set" (the API is built elsewhere): `version` on each secret,
 * `GET /secrets/{name}/versions` (metadata only), `POST …/rollback
 * {"version"}`, `PATCH /secrets/{name} {"description"}`, and `If-Match: "N"`
 * answered by 412 `version_mismatch` when N is not current.
 */
import { describe, expect, test } from 'bun:test'
import { fireEvent, within } from '@testing-library/preact'
import { CSRF, renderApp, settle, type } from './app-harness.tsx'
import { useHappyDom } from './dom.ts'
import { errorReply, type FetchStub } from './fetch-stub.ts'
import { daysAgo, sampleSecrets, secretFixture } from './fixtures.ts'

useHappyDom()

const NAME = 'GITHUB_TOKEN'
const withVersions = () => sampleSecrets().map((s) => ({ ...s, version: s.name === NAME ? 3 : 1 }))
const HISTORY = {
  versions: [
    { version: 3, created_at: daysAgo(1), key_id: '3f2a9c0d11b2e4f5' },
    { version: 1, created_at: daysAgo(30), key_id: '0a1b2c3d4e5f6071' },
    { version: 2, created_at: daysAgo(10), key_id: '3f2a9c0d11b2e4f5' },
  ],
}
const mismatch = errorReply(412, 'version_mismatch', 'If-Match "3" is not the current version 4')
const row = () => document.querySelector(`tr[data-secret="${NAME}"]`) as HTMLElement

async function open(kind: 'Version history' | 'Edit description') {
  const app = await renderApp({ secrets: withVersions() })
  app.stub.on('GET', `/secrets/${NAME}/versions`, { json: HISTORY })
  fireEvent.click(app.getByRole('button', { name: `${kind} of ${NAME}` }))
  await settle()
  return { ...app, dialog: app.getByRole('dialog', { name: kind }) }
}

const sent = (stub: FetchStub) =>
  stub.mutations().map((r) => [r.method, r.path, r.headers['if-match'], r.rawBody, r.headers['x-csrf-token']])

describe('version history and rollback', () => {
  test('the history, newest first, metadata only; the current version has no rollback', async () => {
    const { dialog, stub } = await open('Version history')
    expect(stub.requests.at(-1)!.path).toBe(`/secrets/${NAME}/versions`)
    const versions = Array.from(dialog.querySelectorAll('tbody tr')).map((tr) => tr.getAttribute('data-version'))
    expect(versions).toEqual(['3', '2', '1'])
    expect(dialog.querySelector('tr[data-version="3"]')!.textContent).toContain('current')
    expect(within(dialog).queryByRole('button', { name: 'Roll back to version 3' })).toBeNull()
    expect(within(dialog).getAllByRole('button', { name: /^Roll back to version/ })).toHaveLength(2)
  })

  test('rollback asks first (Cancel focused, sends nothing), then POSTs {version} with If-Match of the current version', async () => {
    const { dialog, stub } = await open('Version history')
    fireEvent.click(within(dialog).getByRole('button', { name: 'Roll back to version 2' }))
    await settle()
    const question = within(dialog).getByRole('group', { name: 'Roll back to version 2?' })
    expect(question.textContent).toContain('as a new version 4')
    expect(document.activeElement!.textContent).toBe('Cancel')
    fireEvent.click(within(question).getByRole('button', { name: 'Cancel' }))
    await settle()
    expect(stub.mutations()).toEqual([])
    fireEvent.click(within(dialog).getByRole('button', { name: 'Roll back to version 2' }))
    await settle()
    stub.on('POST', `/secrets/${NAME}/rollback`, { json: secretFixture({ version: 4, rotated_at: daysAgo(0) }) })
    stub.on('GET', `/secrets/${NAME}/versions`, { json: { versions: [{ version: 4, created_at: daysAgo(0) }, ...HISTORY.versions] } })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Roll back' }))
    await settle()
    expect(sent(stub)).toEqual([['POST', `/secrets/${NAME}/rollback`, '"3"', JSON.stringify({ version: 2 }), CSRF]])
    expect(dialog.querySelector('tr[data-version="4"]')!.textContent).toContain('current')
    expect(document.querySelector('.status-line .banner-text')!.textContent).toBe(`${NAME} was rolled back to the value of version 2, now version 4.`)
    expect(within(dialog).queryByRole('group')).toBeNull()
  })

  test('a rollback refused with 412 says someone else changed it, reads the history again, and rolls nothing over', async () => {
    const { dialog, stub } = await open('Version history')
    stub.on('POST', `/secrets/${NAME}/rollback`, mismatch)
    stub.on('GET', `/secrets/${NAME}`, { json: secretFixture({ version: 4 }) })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Roll back to version 1' }))
    await settle()
    fireEvent.click(within(dialog).getByRole('button', { name: 'Roll back' }))
    await settle()
    expect(within(dialog).getByRole('alert').textContent).toBe(
      `Someone else changed ${NAME} while you were editing (it is now version 4). Nothing of yours was saved: check their change, then save again.`,
    )
    expect(stub.mutations()).toHaveLength(1)
    expect(stub.requests.filter((r) => r.path === `/secrets/${NAME}/versions`)).toHaveLength(2)
  })
})

describe('edit description alone', () => {
  test('PATCH sends exactly {description} with If-Match; no value field, the row updates', async () => {
    const { dialog, stub, queryByRole } = await open('Edit description')
    expect(dialog.querySelector('input[type="password"]')).toBeNull()
    const input = within(dialog).getByLabelText('Description') as HTMLInputElement
    expect(input.value).toBe('forge token for the CI bot')
    stub.on('PATCH', `/secrets/${NAME}`, { json: secretFixture({ description: 'CI bot, read only', version: 4 }) })
    type(input, '  CI bot, read only ')
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save description' }))
    await settle()
    expect(sent(stub)).toEqual([['PATCH', `/secrets/${NAME}`, '"3"', JSON.stringify({ description: 'CI bot, read only' }), CSRF]])
    expect(queryByRole('dialog')).toBeNull()
    expect(row().textContent).toContain('CI bot, read only')
  })

  test('two operators at once: the second is told (412), sees the first one\'s description, keeps its own, and saves on purpose', async () => {
    const { dialog, stub } = await open('Edit description')
    stub.once('PATCH', `/secrets/${NAME}`, mismatch)
    stub.on('GET', `/secrets/${NAME}`, { json: secretFixture({ description: 'set by bob', version: 4 }) })
    const input = within(dialog).getByLabelText('Description') as HTMLInputElement
    type(input, 'set by alice')
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save description' }))
    await settle()
    const alert = within(dialog).getByRole('alert')
    expect(alert.textContent).toContain(`Someone else changed ${NAME} while you were editing (it is now version 4).`)
    expect(alert.querySelector('[data-theirs]')!.textContent).toBe('set by bob')
    expect(input.value).toBe('set by alice')
    expect(row().textContent).toContain('set by bob')
    stub.on('PATCH', `/secrets/${NAME}`, { json: secretFixture({ description: 'set by alice', version: 5 }) })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save description' }))
    await settle()
    expect(stub.mutations().map((r) => r.headers['if-match'])).toEqual(['"3"', '"4"'])
    expect(row().textContent).toContain('set by alice')
  })
})

describe('replace value with If-Match', () => {
  test('PUT carries If-Match of the version opened; a 412 keeps the drawer and the next Save sends the new version', async () => {
    const app = await renderApp({ secrets: withVersions() })
    fireEvent.click(app.getByRole('button', { name: `Replace value of ${NAME}` }))
    const dialog = app.getByRole('dialog', { name: 'Replace value' })
    app.stub.once('PUT', `/secrets/${NAME}`, mismatch)
    app.stub.on('GET', `/secrets/${NAME}`, { json: secretFixture({ version: 4 }) })
    type(app.getByLabelText('New value'), 'new-value-123456')
    fireEvent.click(dialog.querySelector('button[type="submit"]')!)
    await settle()
    expect(within(dialog).getByRole('alert').textContent).toContain('(it is now version 4)')
    app.stub.on('PUT', `/secrets/${NAME}`, { json: secretFixture({ version: 5 }) })
    fireEvent.click(dialog.querySelector('button[type="submit"]')!)
    await settle()
    expect(app.stub.mutations().map((r) => r.headers['if-match'])).toEqual(['"3"', '"4"'])
    expect(app.queryByRole('dialog')).toBeNull()
  })

  test('a server without versions (no version field): no If-Match is sent', async () => {
    const app = await renderApp({ secrets: sampleSecrets() })
    fireEvent.click(app.getByRole('button', { name: `Edit description of ${NAME}` }))
    app.stub.on('PATCH', `/secrets/${NAME}`, { json: secretFixture({ description: 'x' }) })
    type(app.getByLabelText('Description'), 'x')
    fireEvent.click(app.getByRole('button', { name: 'Save description' }))
    await settle()
    expect(app.stub.mutations().map((r) => [r.method, r.headers['if-match']])).toEqual([['PATCH', undefined]])
  })
})
