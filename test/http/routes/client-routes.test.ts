import { afterEach, beforeEach, expect, test } from 'bun:test'
import { clientDb } from '../../../src/clients/client.table.ts'
import { describeEachDialect } from '../../helpers/databases.ts'
import { errorOf, type Harness, harness, type Login } from '../harness.ts'

describeEachDialect('/clients routes', (dialect) => {
  let h: Harness
  let alice: Login
  beforeEach(async () => {
    h = await harness({}, dialect)
    alice = await h.login()
  })
  afterEach(() => h.close())

  const clientTables = async () => {
    const db = clientDb(h.ctx.store.db)
    return {
      client: await db.selectFrom('client').selectAll().execute(),
      grant: await db.selectFrom('client_grant').selectAll().execute(),
      token: await db.selectFrom('client_token').selectAll().execute(),
    }
  }

  test('create, read, list, replace grants, remove', async () => {
    const created = await h.as(alice, 'POST', '/clients', { name: 'mcp-github', grants: ['GITHUB_*'], description: 'GitHub MCP' })
    expect(created.status).toBe(201)
    const body = await created.json()
    expect(body).toEqual({
      name: 'mcp-github',
      description: 'GitHub MCP',
      grants: ['GITHUB_*'],
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      tokens: [],
    })
    expect(await (await h.as(alice, 'GET', '/clients/mcp-github')).json()).toEqual(body)
    expect(await (await h.as(alice, 'GET', '/clients')).json()).toEqual({ clients: [body] })
    const replaced = await h.as(alice, 'PUT', '/clients/mcp-github', { grants: ['SLACK_TOKEN', 'GITHUB_TOKEN'] })
    expect(replaced.status).toBe(200)
    expect(((await replaced.json()) as { grants: string[] }).grants).toEqual(['GITHUB_TOKEN', 'SLACK_TOKEN'])
    expect((await h.as(alice, 'POST', '/clients', { name: 'mcp-github', grants: [] })).status).toBe(409)
    expect((await h.as(alice, 'DELETE', '/clients/mcp-github')).status).toBe(204)
    expect((await h.as(alice, 'GET', '/clients/mcp-github')).status).toBe(404)
    expect(await clientTables()).toEqual({ client: [], grant: [], token: [] })
  })

  test('a token is in the 201 answer once; lists show its id, expiry and last use, never the token', async () => {
    await h.as(alice, 'POST', '/clients', { name: 'ci', grants: ['A'] })
    const issued = await h.as(alice, 'POST', '/clients/ci/tokens', { ttl: '30d' })
    expect(issued.status).toBe(201)
    const { token, ...info } = (await issued.json()) as { token: string; id: string; [k: string]: unknown }
    expect(token).toMatch(/^chs_[A-Za-z0-9_-]{43}$/)
    expect(info).toEqual({
      id: info.id,
      created_at: '2026-01-01T00:00:00.000Z',
      expires_at: '2026-01-31T00:00:00.000Z',
      last_used_at: null,
      revoked_at: null,
    })
    expect(issued.headers.get('Cache-Control')).toBe('no-store')
    const defaultTtl = (await (await h.as(alice, 'POST', '/clients/ci/tokens')).json()) as { expires_at: string }
    expect(defaultTtl.expires_at).toBe('2026-04-01T00:00:00.000Z')
    const listed = await (await h.as(alice, 'GET', '/clients')).text()
    expect(listed).toContain(info.id)
    expect(listed).not.toContain(token.slice(4))
    expect(JSON.stringify(await clientTables())).not.toContain(token.slice(4))
    // The answer that held it was the only one.
    expect(h.bodies.filter((b) => b.includes(token.slice(4))).length).toBe(1)
  })

  test('revoke one token by id, then all', async () => {
    await h.as(alice, 'POST', '/clients', { name: 'ci', grants: ['A'] })
    const a = (await (await h.as(alice, 'POST', '/clients/ci/tokens')).json()) as { id: string }
    await h.as(alice, 'POST', '/clients/ci/tokens')
    expect((await h.as(alice, 'DELETE', `/clients/ci/tokens/${a.id}`)).status).toBe(204)
    expect((await h.as(alice, 'DELETE', '/clients/ci/tokens/0000000000000000')).status).toBe(404)
    const all = await h.as(alice, 'DELETE', '/clients/ci/tokens')
    expect(await all.json()).toEqual({ revoked: 1 })
    const tokens = ((await (await h.as(alice, 'GET', '/clients/ci')).json()) as { tokens: Array<{ revoked_at: string | null }> }).tokens
    expect(tokens.every((t) => t.revoked_at !== null)).toBe(true)
  })

  test('bad input: 400 naming the field, nothing written, nothing echoed', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/clients', { name: 'Bad_Name', grants: [] }, 'name'],
      ['POST', '/clients', { name: 'ok', grants: ['lower_*'] }, 'grants.0'],
      ['POST', '/clients', { name: 'ok' }, 'grants'],
      ['POST', '/clients', { name: 'ok', grants: [], extra: 1 }, 'extra'],
      ['PUT', '/clients/ok', { grants: 'A' }, 'grants'],
      ['POST', '/clients/ok/tokens', { ttl: '1y' }, 'ttl'],
      ['POST', '/clients/ok/tokens', { ttl: 30 }, 'ttl'],
    ]
    await h.as(alice, 'POST', '/clients', { name: 'ok', grants: ['A'] })
    const before = await clientTables()
    for (const [method, path, body, field] of cases) {
      const res = await h.as(alice, method, path, body)
      expect(res.status).toBe(400)
      const error = await errorOf(res)
      expect([method, path, error.field]).toEqual([method, path, field])
      expect(error.message).not.toContain('lower_')
      expect(error.message).not.toContain('Bad_Name')
    }
    expect((await h.as(alice, 'GET', '/clients/Bad')).status).toBe(400)
    expect((await h.as(alice, 'DELETE', '/clients/ok/tokens/NOTHEX')).status).toBe(400)
    expect(await clientTables()).toEqual(before)
  })

  test('every /clients route needs a session, and mutations the CSRF token', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/clients'],
      ['POST', '/clients'],
      ['GET', '/clients/ci'],
      ['PUT', '/clients/ci'],
      ['DELETE', '/clients/ci'],
      ['POST', '/clients/ci/tokens'],
      ['DELETE', '/clients/ci/tokens'],
      ['DELETE', '/clients/ci/tokens/0123456789abcdef'],
    ]
    await h.as(alice, 'POST', '/clients', { name: 'ci', grants: ['A'] })
    const before = await clientTables()
    for (const [method, path] of routes) {
      const res = await h.request(path, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'GET' ? undefined : '{}' })
      expect(res.status).toBe(401)
      if (method !== 'GET') {
        const noCsrf = await h.request(path, { method, headers: { Cookie: alice.cookie, 'Content-Type': 'application/json' }, body: '{}' })
        expect(noCsrf.status).toBe(403)
        expect((await errorOf(noCsrf)).code).toBe('csrf_failed')
      }
    }
    // A client token is no operator session.
    const { token } = (await (await h.as(alice, 'POST', '/clients/ci/tokens')).json()) as { token: string }
    const withToken = await h.request('/clients', { headers: { Authorization: `Bearer ${token}` } })
    expect(withToken.status).toBe(401)
    expect((await clientTables()).client).toEqual(before.client)
  })
})
