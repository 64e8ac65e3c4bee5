/**
 * The versions UI against a fetch stub shaped like the real API
 * (docs/http-api.md; test/e2e/console.e2e.test.ts runs the same flows
 * against the server): `version` on each secret, `GET
 * /secrets/{name}/versions` (metadata only), `POST …/rollback {"version"}`,
 * `PATCH /secrets/{name} {"description"}` (same version), and `If-Match:
 * "N"` answered by 412 `version_mismatch` with `current_version` when N is
 * not current. History and Edit description are reached through the
 * secret's details drawer.
 */
import { describe, expect, test } from 'bun:test'
import { fireEvent, within } from '@testing-library/preact'
import { CSRF, openRowAction, renderApp, settle, type } from './app-harness.tsx'
import { useHappyDom } from './dom.ts'
import { errorReply, type FetchStub } from './fetch-stub.ts'
import { daysAgo, sampleSecrets, secretFixture } from './fixtures.ts'

useHappyDom()

const NAME = 'GITHUB_TOKEN'
const withVersions = () => sampleSecrets().map((s) => ({ ...s, version: s.name === NAME ? 3 : 1 }))
const CURRENT = '3f2a9c0d11b2e4f5'
const OLD = '0a1b2c3d4e5f6071'
const entry = (version: number, days: number, key_id = CURRENT, current = false) => ({
  version,
  created_at: daysAgo(days),
  key_id,
  key_current: key_id === CURRENT,
  current,
})
const HISTORY = {
  name: NAME,
  current_version: 3,
  // Out of order on purpose: the drawer sorts.
  versions: [entry(3, 1, CURRENT, true), entry(1, 30, OLD), entry(2, 10)],
}
const mismatch = errorReply(412, 'version_mismatch', 'GITHUB_TOKEN is at version 4, not 3', { current_version: 4 })
const row = () => document.querySelector(`tr[data-secret="${NAME}"]`) as HTMLElement

async function open(kind: 'Version history' | 'Edit description') {
  const app = await renderApp({ secrets: withVersions() })
  app.stub.on('GET', `/secrets/${NAME}/versions`, { json: HISTORY })
  openRowAction(app, NAME, kind === 'Version history' ? 'History' : 'Edit description')
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
    expect(dialog.querySelector('tr[data-version="1"]')!.textContent).toContain('previous key')
    expect(dialog.querySelector('tr[data-version="2"]')!.textContent).not.toContain('previous key')
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
    stub.on('GET', `/secrets/${NAME}/versions`, {
      json: { name: NAME, current_version: 4, versions: [entry(4, 0, CURRENT, true), ...HISTORY.versions.map((v) => ({ ...v, current: false }))] },
    })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Roll back' }))
    await settle()
    expect(sent(stub)).toEqual([['POST', `/secrets/${NAME}/rollback`, '"3"', JSON.stringify({ version: 2 }), CSRF]])
    expect(dialog.querySelector('tr[data-version="4"]')!.textContent).toContain('current')
    expect(document.querySelector('.toast-region .banner-text')!.textContent).toBe(`${NAME} was rolled back to the value of version 2, now version 4.`)
    // The drawer says it too: the page's notice is behind it, inert.
    expect(within(dialog).getAllByRole('status').map((s) => s.textContent)).toContain('Rolled back: version 4 holds the value of version 2.')
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
    // A description alone makes no new version.
    stub.on('PATCH', `/secrets/${NAME}`, { json: secretFixture({ description: 'CI bot, read only', version: 3 }) })
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
    stub.on('PATCH', `/secrets/${NAME}`, { json: secretFixture({ description: 'set by alice', version: 4 }) })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save description' }))
    await settle()
    expect(stub.mutations().map((r) => r.headers['if-match'])).toEqual(['"3"', '"4"'])
    expect(row().textContent).toContain('set by alice')
  })
})

describe('replace value with If-Match', () => {
  // The same flow whether the secret can be read again after the 412 or not: the version to send next is 4 either way.
  const cases = [
    {
      name: 'PUT carries If-Match of the version opened; a 412 keeps the drawer and the next Save sends the new version',
      reread: { json: secretFixture({ version: 4 }) },
    },
    { name: 'when the secret cannot be read again after a 412, the version comes from the refusal itself', reread: errorReply(503, 'store_busy', 'busy') },
  ]
  for (const { name, reread } of cases) {
    test(name, async () => {
      const app = await renderApp({ secrets: withVersions() })
      openRowAction(app, NAME, 'Replace value')
      await settle()
      const dialog = app.getByRole('dialog', { name: 'Replace value' })
      app.stub.once('PUT', `/secrets/${NAME}`, mismatch)
      app.stub.on('GET', `/secrets/${NAME}`, reread)
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
  }
})
