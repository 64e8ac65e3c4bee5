import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import { cliAccessor } from '../../src/cli/command.ts'
import { runCli } from '../helpers/cli.ts'
import { auditRowsOf, makeAuditReadOnly, tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'
import { ALICE, BOB, harness, type Harness, jsonInit } from '../http/harness.ts'

const PASSWORD = 'SENTINEL-operator-password'

/** The security rows (empty secret_name), without the columns a test cannot know. */
async function securityRows(h: Harness): Promise<Array<Record<string, unknown>>> {
  const rows = await h.ctx.store.db.selectFrom('secret_access_log').selectAll().where('secret_name', '=', '').orderBy('id').execute()
  return rows.map((r) => ({ action: r.action, accessor: r.accessor, reason: r.reason, outcome: r.outcome, token_id: r.token_id, client_address: r.client_address }))
}

describeEachDialect('security events over HTTP', (dialect) => {
  let h: Harness
  beforeEach(async () => {
    h = await harness({ throttlePolicy: { maxFailuresPerUsername: 3 } }, dialect)
  })
  afterEach(() => h.close())
  const from = { remoteAddress: '192.0.2.7' }

  test('a login, a refused login, a lockout and a logout are audit rows with the address; the chain verifies', async () => {
    const session = await h.login(ALICE, from)
    expect((await h.request('/session', jsonInit('POST', { username: 'bob', password: 'wrong password here' }), from)).status).toBe(401)
    // What is typed as a username may be a password: an unknown one is never written.
    const typo = 'SENTINEL-not-a-user'
    expect((await h.request('/session', jsonInit('POST', { username: typo, password: 'whatever it is' }), from)).status).toBe(401)
    expect((await h.request('/session', jsonInit('POST', { username: 'bob', password: 'wrong password two' }), from)).status).toBe(401)
    expect((await h.request('/session', jsonInit('POST', { username: 'bob', password: 'wrong password three' }), from)).status).toBe(401)
    // Locked now: refused before any password check, and no further row (a 429 is in the request log, not the chain).
    expect((await h.request('/session', jsonInit('POST', BOB), from)).status).toBe(429)
    expect((await h.as(session, 'DELETE', '/session')).status).toBe(204)

    const refused = { action: 'login', reason: 'login refused: wrong username or password', outcome: 'denied', token_id: null }
    expect(await securityRows(h)).toEqual([
      { action: 'login', accessor: 'operator:alice', reason: 'login', outcome: 'ok', token_id: null, client_address: '192.0.2.7' },
      { ...refused, accessor: 'operator:bob', client_address: '192.0.2.7' },
      { ...refused, accessor: 'operator:?', client_address: '192.0.2.7' },
      { ...refused, accessor: 'operator:bob', client_address: '192.0.2.7' },
      { ...refused, accessor: 'operator:bob', client_address: '192.0.2.7' },
      { action: 'lockout', accessor: 'operator:bob', reason: 'logins locked for 60 s', outcome: 'denied', token_id: null, client_address: '192.0.2.7' },
      // The logout comes from the harness's default address.
      { action: 'logout', accessor: 'operator:alice', reason: 'logout', outcome: 'ok', token_id: null, client_address: '127.0.0.1' },
    ])
    const all = JSON.stringify(await h.ctx.store.db.selectFrom('secret_access_log').selectAll().execute())
    expect(all).not.toContain(typo)
    expect(all).not.toContain('wrong password')
    expect(await h.ctx.service.auditLog.verify(h.ctx.store.db)).toMatchObject({ ok: true })
  })

  test('refused client tokens that lock the address are one lockout row, once; the 429s after it are none', async () => {
    const t = await harness({ tokenThrottlePolicy: { maxFailuresPerAddress: 2 } }, dialect)
    try {
      const bad = (n: number) => t.request('/resolve', { method: 'POST', headers: { Authorization: `Bearer chs_${'A'.repeat(42)}${n}`, 'X-Secrets-Reason': 'x' }, body: '{}' }, from)
      expect([(await bad(1)).status, (await bad(2)).status, (await bad(3)).status]).toEqual([401, 401, 429])
      expect((await securityRows(t)).map((r) => [r.action, r.accessor, r.outcome, r.client_address])).toEqual([
        ['authenticate', 'client:?', 'denied', '192.0.2.7'],
        ['authenticate', 'client:?', 'denied', '192.0.2.7'],
        ['lockout', 'client:?', 'denied', '192.0.2.7'],
      ])
      expect((await securityRows(t)).at(-1)!.reason).toBe('client tokens locked for 60 s')
    } finally {
      await t.close()
    }
  })

  test('client changes and token issue and revocation are audit rows of the operator; never the token', async () => {
    const s = await h.login(ALICE)
    expect((await h.as(s, 'POST', '/clients', { name: 'mcp-github', grants: ['GITHUB_*'] })).status).toBe(201)
    expect((await h.as(s, 'PUT', '/clients/mcp-github', { grants: ['GITHUB_TOKEN'], description: 'GitHub MCP' })).status).toBe(200)
    const issued = (await (await h.as(s, 'POST', '/clients/mcp-github/tokens', { ttl: '1d' })).json()) as { id: string; token: string }
    const second = (await (await h.as(s, 'POST', '/clients/mcp-github/tokens')).json()) as { id: string; token: string }
    expect((await h.as(s, 'DELETE', `/clients/mcp-github/tokens/${issued.id}`)).status).toBe(204)
    // Revoking all: one row for the token still live, none for the one revoked already.
    expect(await (await h.as(s, 'DELETE', '/clients/mcp-github/tokens')).json()).toEqual({ revoked: 1 })
    expect((await h.as(s, 'DELETE', '/clients/mcp-github')).status).toBe(204)

    const rows = (await securityRows(h)).filter((r) => r.action !== 'login')
    const by = { accessor: 'operator:alice', outcome: 'ok', client_address: '127.0.0.1' }
    expect(rows).toEqual([
      { ...by, action: 'client_add', reason: 'client mcp-github: grants GITHUB_*', token_id: null },
      { ...by, action: 'client_update', reason: 'client mcp-github: grants GITHUB_TOKEN, description', token_id: null },
      { ...by, action: 'token_issue', reason: expect.stringMatching(/^client mcp-github: expires 2026-01-02T00:00:00.000Z$/), token_id: issued.id },
      { ...by, action: 'token_issue', reason: expect.stringMatching(/^client mcp-github: expires /), token_id: second.id },
      { ...by, action: 'token_revoke', reason: 'client mcp-github', token_id: issued.id },
      { ...by, action: 'token_revoke', reason: 'client mcp-github', token_id: second.id },
      { ...by, action: 'client_remove', reason: 'client mcp-github', token_id: null },
    ])
    const all = JSON.stringify(await h.ctx.store.db.selectFrom('secret_access_log').selectAll().execute())
    for (const t of [issued.token, second.token]) expect(all).not.toContain(t.slice(4))
    expect(await h.ctx.service.auditLog.verify(h.ctx.store.db)).toMatchObject({ ok: true })
  })

  test('a change or a login whose audit row cannot be written is not made', async () => {
    const s = await h.login(ALICE)
    await makeAuditReadOnly(h.ctx)
    const res = await h.as(s, 'POST', '/clients', { name: 'mcp-github', grants: ['GITHUB_*'] })
    expect(res.status).toBe(500)
    expect((await (await h.as(s, 'GET', '/clients')).json()) as unknown).toEqual({ clients: [] })
    // A login whose row cannot be written gives no session.
    const sessionsBefore = (await h.snapshot()).session
    const login = await h.request('/session', jsonInit('POST', BOB))
    expect(login.status).toBe(500)
    expect(login.headers.get('Set-Cookie')).toBeNull()
    expect((await h.snapshot()).session).toEqual(sessionsBefore)
  })
})

describeEachDialect('security events from the CLI', (dialect) => {
  let tmp: ReturnType<typeof tempDir>
  let db: Awaited<ReturnType<typeof freshDatabase>>
  let env: Record<string, string>
  beforeAll(async () => {
    tmp = tempDir()
    db = await freshDatabase(dialect, `file:${join(tmp.dir, 'events.db')}`)
    env = { DATABASE_URL: db.url, CLAUDE_HOOKS_SECRET_KEY: randomKey() }
  })
  afterAll(async () => {
    await db.drop()
    tmp.cleanup()
  })

  test('operator and client changes leave rows of cli:USER; the chain verifies; no password or token in them', async () => {
    const cli = (argv: string[], stdin?: string) => runCli(argv, { env, stdin })
    expect((await cli(['operator', 'add', 'carol'], `${PASSWORD}\n`)).code).toBe(0)
    expect((await cli(['operator', 'passwd', 'carol'], `${PASSWORD}-2\n`)).code).toBe(0)
    expect((await cli(['operator', 'remove', 'carol'])).code).toBe(0)
    expect((await cli(['client', 'add', 'ci', '--grant', 'CI_*'])).code).toBe(0)
    expect((await cli(['client', 'grant', 'ci', '--grant', 'CI_TOKEN'])).code).toBe(0)
    const token = await cli(['client', 'token', 'ci'])
    const id = /token ([0-9a-f]{16})/.exec(token.stderr)![1]!
    expect((await cli(['client', 'revoke', 'ci', '--token', id])).code).toBe(0)
    expect((await cli(['client', 'remove', 'ci'])).code).toBe(0)

    const rows = (await auditRowsOf(env)).filter((r) => r.secret_name === '')
    const me = cliAccessor()
    expect(rows.map((r) => [r.action, r.accessor, r.reason, r.token_id, r.client_address])).toEqual([
      ['operator_add', me, 'operator carol', null, null],
      ['operator_passwd', me, 'operator carol', null, null],
      ['operator_remove', me, 'operator carol', null, null],
      ['client_add', me, 'client ci: grants CI_*', null, null],
      ['client_update', me, 'client ci: grants CI_TOKEN', null, null],
      ['token_issue', me, expect.stringMatching(/^client ci: expires \d{4}-/), id, null],
      ['token_revoke', me, 'client ci', id, null],
      ['client_remove', me, 'client ci', null, null],
    ])
    const all = JSON.stringify(rows)
    expect(all).not.toContain(PASSWORD)
    expect(all).not.toContain(token.stdout.trim().slice(4))
    expect(await runCli(['audit', 'verify'], { env })).toMatchObject({ code: 0 })
  })

  test('without the master key a change is refused (78) and nothing is written; list still works', async () => {
    const keyless = { DATABASE_URL: env.DATABASE_URL }
    const before = await auditRowsOf(env)
    for (const argv of [['operator', 'add', 'dave'], ['operator', 'remove', 'dave'], ['client', 'add', 'cd', '--grant', 'A'], ['client', 'token', 'cd']]) {
      const r = await runCli(argv, { env: keyless, stdin: `${PASSWORD}\n` })
      expect([argv, r.code]).toEqual([argv, 78])
      expect(r.stderr).toContain('CLAUDE_HOOKS_SECRET_KEY')
    }
    expect((await runCli(['operator', 'list'], { env: keyless })).stdout).not.toContain('dave')
    expect((await runCli(['client', 'list'], { env: keyless })).stdout).toStartWith('No clients yet.')
    expect(await auditRowsOf(env)).toEqual(before)
  })
})
