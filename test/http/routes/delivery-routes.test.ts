import { afterEach, beforeEach, expect, test } from 'bun:test'
import { ClientService } from '../../../src/clients/client.service.ts'
import { clientDb } from '../../../src/clients/client.table.ts'
import { describeEachDialect } from '../../helpers/databases.ts'
import { CLI_ACTOR } from '../../helpers/context.ts'
import { errorOf, type Harness, harness } from '../harness.ts'

const DAY = 86_400_000
type Kind = 'none' | 'malformed' | 'unknown' | 'expired' | 'revoked' | 'other client' | 'valid'
const KINDS: Kind[] = ['none', 'malformed', 'unknown', 'expired', 'revoked', 'other client', 'valid']

describeEachDialect('delivery routes', (dialect) => {
  let h: Harness
  let clients: ClientService
  const tokens = {} as Record<Exclude<Kind, 'none'>, string>
  const ids = {} as Record<'expired' | 'revoked' | 'valid' | 'other', string>

  beforeEach(async () => {
    h = await harness({ renderBodyLimit: 4096 }, dialect)
    clients = new ClientService({ db: h.ctx.store.db, now: h.clock.now })
    await h.ctx.service.create({ name: 'GITHUB_TOKEN', value: 'ghp-value-1' }, CLI_ACTOR)
    await h.ctx.service.create({ name: 'GITHUB_USER', value: 'octo "cat"' }, CLI_ACTOR)
    await h.ctx.service.create({ name: 'SLACK_TOKEN', value: 'xoxb-value-2' }, CLI_ACTOR)
    await clients.add({ name: 'ci', grants: ['GITHUB_*'] })
    await clients.add({ name: 'other', grants: ['SLACK_TOKEN'] })
    const expired = await clients.issueToken('ci', 60_000)
    const revoked = await clients.issueToken('ci')
    await clients.revoke('ci', revoked.info.id)
    const valid = await clients.issueToken('ci')
    const other = await clients.issueToken('other')
    h.clock.tick(120_000)
    Object.assign(tokens, {
      malformed: 'chs_short',
      unknown: `chs_${Buffer.alloc(32, 7).toString('base64url')}`,
      expired: expired.token,
      revoked: revoked.token,
      'other client': other.token,
      valid: valid.token,
    })
    Object.assign(ids, { expired: expired.info.id, revoked: revoked.info.id, valid: valid.info.id, other: other.info.id })
  })
  afterEach(() => h.close())

  const headersFor = (kind: Kind, extra: Record<string, string> = {}): Record<string, string> => ({
    'X-Secrets-Reason': 'start mcp',
    ...(kind === 'none' ? {} : { Authorization: `Bearer ${tokens[kind]}` }),
    ...extra,
  })
  const render = (kind: Kind, body: string, extra?: Record<string, string>, query = '') =>
    h.request(`/render${query}`, { method: 'POST', headers: headersFor(kind, { 'Content-Type': 'text/plain', ...extra }), body })
  const resolve = (kind: Kind, names: string[], extra?: Record<string, string>) =>
    h.request('/resolve', { method: 'POST', headers: headersFor(kind, { 'Content-Type': 'application/json', ...extra }), body: JSON.stringify({ names }) })
  const auditRows = async () => (await h.snapshot()).audit.filter((r) => r.secret_name === '' || r.accessor.startsWith('client:'))
  const tokenRows = () => clientDb(h.ctx.store.db).selectFrom('client_token').selectAll().orderBy('id').execute()

  const ROUTES = {
    render: (kind: Kind) => render(kind, 'user=${SECRET:GITHUB_USER} token=${SECRET:GITHUB_TOKEN}\n'),
    resolve: (kind: Kind) => resolve(kind, ['GITHUB_USER', 'GITHUB_TOKEN']),
  }

  for (const [route, call] of Object.entries(ROUTES)) {
    for (const kind of KINDS) {
      test(`POST /${route} with ${kind === 'none' ? 'no token' : `a token that is ${kind}`}`, async () => {
        const before = await h.snapshot()
        const tokensBefore = await tokenRows()
        const res = await call(kind)
        const rows = (await h.snapshot()).audit.slice(before.audit.length)
        expect(res.headers.get('Cache-Control')).toBe('no-store')
        const text = await res.clone().text()
        for (const t of Object.values(tokens)) expect(text).not.toContain(t)
        if (kind === 'valid') {
          expect(res.status).toBe(200)
          if (route === 'render') {
            expect(text).toBe('user=octo "cat" token=ghp-value-1\n')
            expect(res.headers.get('Content-Type')).toBe('application/octet-stream')
          } else {
            expect(await res.json()).toEqual({ values: { GITHUB_USER: 'octo "cat"', GITHUB_TOKEN: 'ghp-value-1' } })
          }
          expect(rows.map((r) => [r.secret_name, r.action, r.accessor, r.reason, r.outcome, r.token_id, r.client_address])).toEqual([
            ['GITHUB_USER', 'read', 'client:ci', 'start mcp', 'ok', ids.valid, '127.0.0.1'],
            ['GITHUB_TOKEN', 'read', 'client:ci', 'start mcp', 'ok', ids.valid, '127.0.0.1'],
          ])
          expect((await tokenRows()).find((t) => t.id === ids.valid)!.last_used_at).toBe(h.clock.now().toISOString())
          return
        }
        // Every refusal: nothing decrypted, no token touched.
        expect(rows.some((r) => r.action === 'read' && r.outcome === 'ok')).toBe(false)
        expect(await tokenRows()).toEqual(tokensBefore)
        if (kind === 'other client') {
          expect(res.status).toBe(403)
          expect(await errorOf(res)).toEqual({
            code: 'not_granted',
            message: 'client other is not granted: GITHUB_USER, GITHUB_TOKEN',
            names: ['GITHUB_USER', 'GITHUB_TOKEN'],
          } as never)
          expect(rows.map((r) => [r.secret_name, r.action, r.accessor, r.outcome, r.token_id, r.client_address])).toEqual([
            ['GITHUB_USER', 'read', 'client:other', 'denied', ids.other, '127.0.0.1'],
            ['GITHUB_TOKEN', 'read', 'client:other', 'denied', ids.other, '127.0.0.1'],
          ])
          return
        }
        expect(res.status).toBe(401)
        expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="claude-hooks-secrets"')
        expect((await errorOf(res)).code).toBe('unauthenticated')
        if (kind === 'none') {
          expect(rows).toEqual([])
          return
        }
        const who = kind === 'expired' || kind === 'revoked' ? 'client:ci' : 'client:?'
        const why = kind === 'unknown' ? 'unknown' : kind
        // The token id only when it is a stored one (a public id); never any part of an unknown token.
        const tokenId = kind === 'expired' || kind === 'revoked' ? ids[kind] : null
        expect(rows.map((r) => [r.secret_name, r.action, r.accessor, r.reason, r.outcome, r.token_id, r.client_address])).toEqual([
          ['', 'authenticate', who, `token refused: ${why}`, 'denied', tokenId, '127.0.0.1'],
        ])
        expect(await h.ctx.service.auditLog.verify(h.ctx.store.db)).toMatchObject({ ok: true })
        expect(JSON.stringify(rows)).not.toContain(tokens[kind])
      })
    }
  }

  test('a render that mixes granted and not granted names writes nothing and lists only the ones not granted', async () => {
    const before = await h.snapshot()
    const tokensBefore = await tokenRows()
    const res = await render('valid', '${SECRET:GITHUB_TOKEN} ${SECRET:SLACK_TOKEN} ${SECRET:AWS_KEY} ${SECRET:SLACK_TOKEN}')
    expect(res.status).toBe(403)
    const error = await errorOf(res)
    expect(error).toMatchObject({ code: 'not_granted', names: ['SLACK_TOKEN', 'AWS_KEY'] })
    expect(JSON.stringify(error)).not.toContain('ghp-value-1')
    const after = await h.snapshot()
    expect(after.secret).toEqual(before.secret)
    expect(after.audit.slice(before.audit.length).map((r) => [r.secret_name, r.outcome])).toEqual([
      ['SLACK_TOKEN', 'denied'],
      ['AWS_KEY', 'denied'],
    ])
    expect(await tokenRows()).toEqual(tokensBefore)
  })

  test('missing secrets: 422 listing every granted name that does not exist, nothing decrypted or audited', async () => {
    const before = await auditRows()
    for (const res of [
      await render('valid', '${SECRET:GITHUB_TOKEN} ${SECRET:GITHUB_NOPE} ${SECRET:GITHUB_GONE}'),
      await resolve('valid', ['GITHUB_TOKEN', 'GITHUB_NOPE', 'GITHUB_GONE']),
    ]) {
      expect(res.status).toBe(422)
      expect(await errorOf(res)).toMatchObject({ code: 'missing_secret', names: ['GITHUB_NOPE', 'GITHUB_GONE'] })
    }
    expect(await auditRows()).toEqual(before)
  })

  test('a malformed placeholder: 422 with line and column, nothing resolved', async () => {
    const before = await auditRows()
    const res = await render('valid', 'ok ${SECRET:GITHUB_TOKEN}\n  ${SECRET:bad}\n')
    expect(res.status).toBe(422)
    expect(await errorOf(res)).toMatchObject({ code: 'malformed_placeholder', line: 2, column: 3 })
    expect(await auditRows()).toEqual(before)
  })

  test('escapes and other dollars pass through; no placeholder renders as is with no audit row', async () => {
    const res = await render('valid', '$${SECRET:GITHUB_TOKEN} $HOME ${X}')
    expect(await res.text()).toBe('${SECRET:GITHUB_TOKEN} $HOME ${X}')
    expect((await auditRows()).length).toBe(0)
  })

  test('over RENDER_BODY_LIMIT: 413; /render only takes bodies that big', async () => {
    const res = await render('valid', 'x'.repeat(4097))
    expect(res.status).toBe(413)
    expect((await errorOf(res)).code).toBe('payload_too_large')
    expect((await render('valid', 'x'.repeat(4096))).status).toBe(200)
  })

  test('the reason is required and checked like every audit reason (400 naming the header)', async () => {
    // Not ASCII: a header's bytes arrive as Latin-1, so UTF-8 text would be stored garbled ('caf\u00c3\u00a9').
    for (const reason of [undefined, '', '   ', 'x'.repeat(201), 'a\u0001b', 'caf\u00e9', 'caf\u00c3\u00a9', 'a\u007fb']) {
      const headers = headersFor('valid')
      if (reason === undefined) delete headers['X-Secrets-Reason']
      else headers['X-Secrets-Reason'] = reason
      const res = await h.request('/render', { method: 'POST', headers, body: '${SECRET:GITHUB_TOKEN}' })
      expect(res.status).toBe(400)
      const error = await errorOf(res)
      expect(error).toMatchObject({ code: 'validation_error', field: 'X-Secrets-Reason' })
      if (reason?.startsWith('caf')) expect(error.message).toBe('X-Secrets-Reason must be printable ASCII: a header carries no other text reliably')
    }
    expect((await auditRows()).length).toBe(0)
  })

  test('a token in the query string or a cookie is refused, even beside a valid bearer token', async () => {
    const cases = [
      () => render('valid', 'x', {}, `?token=${tokens.valid}`),
      () => render('none', 'x', {}, `?access_token=${tokens.valid.replace('_', '%5F')}`),
      () => render('valid', 'x', { Cookie: `token=${tokens.valid}` }),
      () => resolve('none', ['GITHUB_TOKEN'], { Cookie: `t=${tokens.valid}` }),
    ]
    for (const call of cases) {
      const res = await call()
      expect(res.status).toBe(401)
      expect((await errorOf(res)).message).toContain('only in the Authorization header')
    }
    const rows = await auditRows()
    expect(rows.map((r) => r.reason)).toEqual(Array(4).fill('token refused: misplaced'))
    expect(JSON.stringify(rows)).not.toContain(tokens.valid.slice(4))
  })

  test('odd Authorization headers are 401: another scheme, two tokens, a token with spaces', async () => {
    for (const value of [`Basic ${tokens.valid}`, `Bearer ${tokens.valid} ${tokens.valid}`, `Bearer`, `${tokens.valid}`, `Bearer ${tokens.valid}x`]) {
      const res = await h.request('/resolve', { method: 'POST', headers: { ...headersFor('none'), Authorization: value, 'Content-Type': 'application/json' }, body: '{"names":["GITHUB_TOKEN"]}' })
      expect([value.slice(0, 8), res.status]).toEqual([value.slice(0, 8), 401])
    }
    // The scheme is case-insensitive (RFC 7235).
    const lower = await h.request('/resolve', { method: 'POST', headers: { ...headersFor('none'), Authorization: `bearer ${tokens.valid}`, 'Content-Type': 'application/json' }, body: '{"names":["GITHUB_TOKEN"]}' })
    expect(lower.status).toBe(200)
  })

  test('/resolve validates its body: 400 naming the field, nothing decrypted', async () => {
    for (const body of ['{"names":[]}', '{"names":["lower"]}', '{"names":"GITHUB_TOKEN"}', '{"names":["A"],"x":1}', '[]']) {
      const res = await h.request('/resolve', { method: 'POST', headers: headersFor('valid', { 'Content-Type': 'application/json' }), body })
      expect(res.status).toBe(400)
    }
    expect((await auditRows()).length).toBe(0)
  })

  test('a removed client and a client whose grants shrank', async () => {
    await clients.update('ci', { grants: ['GITHUB_USER'] })
    const res = await resolve('valid', ['GITHUB_USER', 'GITHUB_TOKEN'])
    expect(res.status).toBe(403)
    expect(await errorOf(res)).toMatchObject({ names: ['GITHUB_TOKEN'] })
    await clients.remove('ci')
    expect((await resolve('valid', ['GITHUB_USER'])).status).toBe(401)
  })

  test('an operator session is no client: a cookie session cannot render', async () => {
    const alice = await h.login()
    const res = await h.request('/render', { method: 'POST', headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf, 'X-Secrets-Reason': 'r' }, body: '${SECRET:GITHUB_TOKEN}' })
    expect(res.status).toBe(401)
  })

  test('format=json escapes values inside JSON strings, as the CLI does; raw is the default; others are 400', async () => {
    const template = '{"user":"${SECRET:GITHUB_USER}"}'
    const json = await render('valid', template, {}, '?format=json')
    expect(await json.text()).toBe('{"user":"octo \\"cat\\""}')
    expect(JSON.parse(await (await render('valid', template, {}, '?format=json')).text())).toEqual({ user: 'octo "cat"' })
    expect(await (await render('valid', template)).text()).toBe('{"user":"octo "cat""}')
    expect(await (await render('valid', template, {}, '?format=raw')).text()).toBe('{"user":"octo "cat""}')
    // Outside a string a placeholder needs a filter in JSON: 422 with its position.
    const bare = await render('valid', '{"u": ${SECRET:GITHUB_USER}}', {}, '?format=json')
    expect(bare.status).toBe(422)
    expect(await errorOf(bare)).toMatchObject({ code: 'malformed_placeholder', line: 1, column: 7 })
    for (const q of ['?format=xml', '?other=1', '?format=json&format=raw']) {
      const res = await render('valid', 'a', {}, q)
      expect([q, res.status]).toEqual([q, 400])
    }
  })

  test('a token expires at its expiry, to the millisecond', async () => {
    const t = await clients.issueToken('ci', DAY)
    const call = () => h.request('/resolve', { method: 'POST', headers: { ...headersFor('none'), Authorization: `Bearer ${t.token}`, 'Content-Type': 'application/json' }, body: '{"names":["GITHUB_TOKEN"]}' })
    h.clock.tick(DAY - 1)
    expect((await call()).status).toBe(200)
    h.clock.tick(1)
    expect((await call()).status).toBe(401)
  })
})
