import { describe, expect, test } from 'bun:test'
import { fireEvent, waitFor, within } from '@testing-library/preact'
import type { Client } from '../../web/src/types.ts'
import { expectNoTrace, renderApp, settle, type } from './app-harness.tsx'
import { useHappyDom } from './dom.ts'
import { createFetchStub, errorReply } from './fetch-stub.ts'

useHappyDom()

const TOKEN = 'chs_SENTINELtokenSENTINELtokenSENTINELtoken12'
const DAY = 86_400_000
const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString()

function client(overrides: Partial<Client> = {}): Client {
  return {
    name: 'mcp-github',
    description: 'GitHub MCP server',
    grants: ['GITHUB_*'],
    created_at: iso(-10),
    updated_at: iso(-10),
    tokens: [
      { id: '1111111111111111', created_at: iso(-9), expires_at: iso(80), last_used_at: iso(-1), revoked_at: null },
      { id: '2222222222222222', created_at: iso(-8), expires_at: iso(80), last_used_at: null, revoked_at: iso(-2) },
      { id: '3333333333333333', created_at: iso(-200), expires_at: iso(-110), last_used_at: null, revoked_at: null },
    ],
    ...overrides,
  }
}

async function openClients(clients: Client[] = [client()]) {
  const stub = createFetchStub()
  let list = clients
  stub.on('GET', '/clients', () => ({ json: { clients: list } }))
  const app = await renderApp({ path: '/settings/clients', stub })
  await settle()
  return { ...app, setList: (next: Client[]) => (list = next) }
}

const card = (name: string) => document.querySelector(`[data-client="${name}"]`) as HTMLElement

describe('Clients page', () => {
  test('lists each client with its grants and tokens (id, state), never a token', async () => {
    const app = await openClients([client(), client({ name: 'ci', description: '', grants: ['*'], tokens: [] })])
    expect(app.getByRole('heading', { level: 1, name: 'Clients' })).toBeTruthy()
    expect(app.getByRole('link', { name: 'Clients' }).getAttribute('aria-current')).toBe('page')
    const gh = card('mcp-github')
    expect(within(gh).getByRole('list', { name: 'Grants of mcp-github' }).textContent).toBe('GITHUB_*')
    const states = Array.from(gh.querySelectorAll('tbody tr')).map((tr) => [tr.getAttribute('data-token'), tr.querySelector('.badge')!.textContent])
    expect(states).toEqual([
      ['2222222222222222', 'revoked'],
      ['1111111111111111', 'live'],
      ['3333333333333333', 'expired'],
    ])
    // Newest first; only a live token can be revoked.
    expect(within(gh).getAllByRole('button', { name: /^Revoke token/ }).map((b) => b.getAttribute('aria-label'))).toEqual([
      'Revoke token 1111111111111111',
    ])
    expect(card('ci').textContent).toContain('* (every secret)')
    expect(card('ci').textContent).toContain('No token yet.')
    expect(document.body.innerHTML).not.toContain('chs_')
  })

  test('add with grants sends exactly name, grants and description, then offers the first token', async () => {
    const app = await openClients([])
    app.stub.on('POST', '/clients', (r) => ({ status: 201, json: { ...client({ tokens: [] }), ...(r.body as object) } }))
    fireEvent.click(app.getByRole('button', { name: 'Add client' }))
    const drawer = app.getByRole('dialog', { name: 'Add client' })
    type(within(drawer).getByLabelText('Name'), 'mcp-github')
    type(within(drawer).getByLabelText(/^Description/), 'GitHub MCP server')
    type(within(drawer).getByLabelText('Grants'), 'GITHUB_*\nSLACK_TOKEN, LINEAR_API_KEY')
    fireEvent.click(within(drawer).getByRole('button', { name: 'Add client' }))
    await settle()
    expect(app.stub.mutations().map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/clients', { name: 'mcp-github', grants: ['GITHUB_*', 'SLACK_TOKEN', 'LINEAR_API_KEY'], description: 'GitHub MCP server' }],
    ])
    expect(app.stub.mutations()[0]!.headers['x-csrf-token']).toBe('csrf-token-abc')
    expect(app.getByRole('dialog', { name: 'Issue a token' })).toBeTruthy()
    expect(card('mcp-github')).toBeTruthy()
  })

  test('a refused pattern is shown at the grants field, counted from 1', async () => {
    const app = await openClients([])
    app.stub.on('POST', '/clients', errorReply(400, 'validation_error', 'grants.1 must be a secret name (GITHUB_TOKEN), …', { field: 'grants.1' }))
    fireEvent.click(app.getByRole('button', { name: 'Add client' }))
    const drawer = app.getByRole('dialog', { name: 'Add client' })
    type(within(drawer).getByLabelText('Name'), 'ci')
    type(within(drawer).getByLabelText('Grants'), 'A\nlower')
    fireEvent.click(within(drawer).getByRole('button', { name: 'Add client' }))
    await settle()
    const grants = within(drawer).getByLabelText('Grants')
    expect(grants.getAttribute('aria-invalid')).toBe('true')
    expect(drawer.querySelector('.field-error')!.textContent).toBe('Pattern 2 (lower): must be a secret name (GITHUB_TOKEN), …')
  })

  test('a token is shown once with a copy button and the command that uses it, and is gone from the DOM once closed', async () => {
    const app = await openClients()
    const issuedAt = iso(0)
    app.stub.on('POST', '/clients/mcp-github/tokens', { status: 201, json: { id: '4444444444444444', token: TOKEN, created_at: issuedAt, expires_at: iso(30), last_used_at: null, revoked_at: null } })
    const copied: string[] = []
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (t: string) => void copied.push(t) } })
    fireEvent.click(app.getByRole('button', { name: 'Issue token for mcp-github' }))
    const dialog = app.getByRole('dialog', { name: 'Issue a token' })
    fireEvent.change(within(dialog).getByLabelText('Expires after'), { target: { value: '30d' } })
    // The list read after the issue holds the new id, never the token.
    app.setList([client({ tokens: [...client().tokens, { id: '4444444444444444', created_at: issuedAt, expires_at: iso(30), last_used_at: null, revoked_at: null }] })])
    fireEvent.click(within(dialog).getByRole('button', { name: 'Issue token' }))
    await settle()
    expect(app.stub.mutations().map((r) => [r.method, r.path, r.body])).toEqual([['POST', '/clients/mcp-github/tokens', { ttl: '30d' }]])
    const shown = app.getByRole('dialog', { name: 'Token issued' })
    expect(shown.querySelector('[data-token-value]')!.textContent).toBe(TOKEN)
    const command = shown.querySelector('[data-command]')!.textContent!
    expect(command).toBe(
      `CLAUDE_HOOKS_SECRETS_URL=http://127.0.0.1:8787 CLAUDE_HOOKS_SECRETS_TOKEN_FILE=$PWD/mcp-github.token npx secrets render --reason "start mcp-github" template.json out.json`,
    )
    expect(command).not.toContain(TOKEN)
    fireEvent.click(within(shown).getByRole('button', { name: 'Copy token' }))
    await settle()
    expect(copied).toEqual([TOKEN])
    expect(within(shown).getByText('Copied.')).toBeTruthy()
    fireEvent.click(within(shown).getByRole('button', { name: 'Copy command' }))
    await settle()
    expect(copied[1]).toBe(command)
    // The page never sends it anywhere (the server tests hold that only the 201 carries it).
    expect(app.stub.requests.some((r) => JSON.stringify(r).includes(TOKEN))).toBe(false)
    fireEvent.click(within(shown).getByRole('button', { name: 'Done, I saved it' }))
    await settle()
    expect(app.queryByRole('dialog')).toBeNull()
    expect(expectNoTrace(TOKEN)).toEqual([])
    expect(expectNoTrace(TOKEN.slice(4, 20))).toEqual([])
    expect(card('mcp-github').querySelector('tr[data-token="4444444444444444"]')).toBeTruthy()
    delete (navigator as { clipboard?: unknown }).clipboard
  })

  test('Esc on a shown token closes it and drops it too', async () => {
    const app = await openClients()
    app.stub.on('POST', '/clients/mcp-github/tokens', { status: 201, json: { id: '4444444444444444', token: TOKEN, created_at: iso(0), expires_at: iso(90), last_used_at: null, revoked_at: null } })
    fireEvent.click(app.getByRole('button', { name: 'Issue token for mcp-github' }))
    fireEvent.click(within(app.getByRole('dialog', { name: 'Issue a token' })).getByRole('button', { name: 'Issue token' }))
    await settle()
    expect(document.body.innerHTML).toContain(TOKEN)
    fireEvent.keyDown(app.getByRole('dialog', { name: 'Token issued' }), { key: 'Escape' })
    await settle()
    expect(app.queryByRole('dialog')).toBeNull()
    expect(expectNoTrace(TOKEN)).toEqual([])
  })

  test('revoke asks first: Cancel sends nothing, Revoke token sends the DELETE of that id', async () => {
    const app = await openClients()
    app.stub.on('DELETE', '/clients/mcp-github/tokens/1111111111111111', { status: 204 })
    fireEvent.click(app.getByRole('button', { name: 'Revoke token 1111111111111111' }))
    const ask = app.getByRole('alertdialog', { name: /^Revoke token 1111111111111111\s*\?$/ })
    fireEvent.click(within(ask).getByRole('button', { name: 'Cancel' }))
    await settle()
    expect(app.stub.mutations()).toEqual([])
    fireEvent.click(app.getByRole('button', { name: 'Revoke token 1111111111111111' }))
    app.setList([client({ tokens: [{ ...client().tokens[0]!, revoked_at: iso(0) }] })])
    fireEvent.click(within(app.getByRole('alertdialog')).getByRole('button', { name: 'Revoke token' }))
    await settle()
    expect(app.stub.mutations().map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /clients/mcp-github/tokens/1111111111111111'])
    expect(card('mcp-github').querySelector('tr[data-token="1111111111111111"] .badge')!.textContent).toBe('revoked')
    expect(app.getByText('Token 1111111111111111 of mcp-github revoked.')).toBeTruthy()
  })

  test('remove asks first, naming the live tokens that stop; confirmed, the client is gone', async () => {
    const app = await openClients()
    app.stub.on('DELETE', '/clients/mcp-github', { status: 204 })
    fireEvent.click(app.getByRole('button', { name: 'Remove mcp-github' }))
    const ask = app.getByRole('alertdialog', { name: /^Remove client mcp-github\s*\?$/ })
    expect(ask.textContent).toContain('Its live token stops working at once.')
    expect(document.activeElement!.textContent).toBe('Cancel')
    fireEvent.click(within(ask).getByRole('button', { name: 'Cancel' }))
    await settle()
    expect(app.stub.mutations()).toEqual([])
    fireEvent.click(app.getByRole('button', { name: 'Remove mcp-github' }))
    fireEvent.click(within(app.getByRole('alertdialog')).getByRole('button', { name: 'Remove client' }))
    await settle()
    expect(app.stub.mutations().map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /clients/mcp-github'])
    expect(card('mcp-github')).toBeNull()
  })

  test("a client's access history is the activity of accessor client:NAME, and opens in Activity", async () => {
    const app = await openClients()
    app.stub.on('GET', '/audit?accessor=client%3Amcp-github', {
      json: {
        entries: [{ id: 9, at: iso(-1), secret: 'GITHUB_TOKEN', action: 'read', accessor: 'client:mcp-github', label: null, token_id: '1111111111111111', client_address: '10.0.0.7', reason: 'start', outcome: 'ok' }],
        next_cursor: null,
      },
    })
    fireEvent.click(app.getByRole('button', { name: 'Access history of mcp-github' }))
    await settle()
    const drawer = app.getByRole('dialog', { name: 'Access history' })
    expect(app.stub.requests.filter((r) => r.path.startsWith('/audit')).map((r) => r.path)).toEqual(['/audit?accessor=client%3Amcp-github'])
    expect(drawer.querySelector('tr[data-entry="9"] [data-action]')!.textContent).toBe('Value read')
    expect(drawer.textContent).toContain('1 entry, that is all')
    fireEvent.click(within(drawer).getByRole('link', { name: 'Open in Activity' }))
    await settle()
    expect(window.location.pathname + window.location.search).toBe('/settings/activity?accessor=client%3Amcp-github')
    await waitFor(() => app.getByRole('heading', { level: 1, name: 'Activity' }))
  })
})
