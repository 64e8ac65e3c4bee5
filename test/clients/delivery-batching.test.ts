import { afterEach, beforeEach, expect, test } from 'bun:test'
import { ClientService } from '../../src/clients/client.service.ts'
import { CLI_ACTOR, makeAuditReadOnly } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'
import { errorOf, type Harness, harness } from '../http/harness.ts'

// Group commit of the delivery routes' audit rows (src/audit/audit-batcher.ts), through the real app.
describeEachDialect('delivery group commit', (dialect) => {
  let h: Harness
  let token: string
  let tokenId: string
  beforeEach(async () => {
    h = await harness({}, dialect)
    const clients = new ClientService({ db: h.ctx.store.db, now: h.clock.now })
    await h.ctx.service.create({ name: 'GITHUB_TOKEN', value: 'ghp-value-1' }, CLI_ACTOR)
    await h.ctx.service.create({ name: 'GITHUB_USER', value: 'octocat' }, CLI_ACTOR)
    await h.ctx.service.create({ name: 'SLACK_TOKEN', value: 'xoxb-value-2' }, CLI_ACTOR)
    await clients.add({ name: 'ci', grants: ['GITHUB_*'] })
    const issued = await clients.issueToken('ci')
    token = issued.token
    tokenId = issued.info.id
  })
  afterEach(() => h.close())

  const headers = (bearer: string, reason: string, type: string) => ({ Authorization: `Bearer ${bearer}`, 'X-Secrets-Reason': reason, 'Content-Type': type })
  const render = (i: number, address = '127.0.0.1') =>
    h.request(
      '/render',
      { method: 'POST', headers: headers(token, `render ${i}`, 'text/plain'), body: `${i}:\${SECRET:GITHUB_USER}:\${SECRET:GITHUB_TOKEN}` },
      { remoteAddress: address },
    )
  const resolve = (i: number, names: string[], bearer = token, address = '127.0.0.1') =>
    h.request('/resolve', { method: 'POST', headers: headers(bearer, `resolve ${i}`, 'application/json'), body: JSON.stringify({ names }) }, { remoteAddress: address })
  const deliveryRows = async () => (await h.snapshot()).audit.filter((r) => r.accessor.startsWith('client:'))
  const SECRETS = ['ghp-value-1', 'octocat', 'xoxb-value-2']

  test('concurrent renders, resolves and refusals share audit transactions: one valid chain, every row present once, fewer transactions than requests', async () => {
    const before = h.ctx.service.auditBatcher.stats
    const N = 16
    const unknown = `chs_${Buffer.alloc(32, 7).toString('base64url')}`
    const [renders, resolves, refusedGrant, refusedToken] = await Promise.all([
      Promise.all(Array.from({ length: N }, (_, i) => render(i))),
      Promise.all(Array.from({ length: N }, (_, i) => resolve(i, ['GITHUB_TOKEN']))),
      Promise.all(Array.from({ length: 4 }, (_, i) => resolve(100 + i, ['SLACK_TOKEN', 'GITHUB_USER']))),
      // Each from its own address, so the bad-token throttle stays out of the way.
      Promise.all(Array.from({ length: 4 }, (_, i) => resolve(200 + i, ['GITHUB_USER'], unknown, `10.0.0.${i + 1}`))),
    ])
    for (const [i, res] of renders.entries()) {
      expect(res.status).toBe(200)
      expect(await res.text()).toBe(`${i}:octocat:ghp-value-1`)
    }
    for (const res of resolves) expect(await res.json()).toEqual({ values: { GITHUB_TOKEN: 'ghp-value-1' } })
    for (const res of refusedGrant) {
      expect(res.status).toBe(403)
      const text = await res.text()
      for (const s of SECRETS) expect(text).not.toContain(s)
    }
    for (const res of refusedToken) expect(res.status).toBe(401)

    const rows = await deliveryRows()
    const key = (r: { reason: string; secret_name: string; outcome: string }) => `${r.reason}|${r.secret_name}|${r.outcome}`
    const expected = [
      ...Array.from({ length: N }, (_, i) => [`render ${i}|GITHUB_USER|ok`, `render ${i}|GITHUB_TOKEN|ok`]).flat(),
      ...Array.from({ length: N }, (_, i) => `resolve ${i}|GITHUB_TOKEN|ok`),
      ...Array.from({ length: 4 }, (_, i) => `resolve ${100 + i}|SLACK_TOKEN|denied`),
      ...Array.from({ length: 4 }, () => 'token refused: unknown||denied'),
    ]
    expect(rows.map(key).sort()).toEqual(expected.sort())
    for (const r of rows.filter((r) => r.outcome === 'ok')) expect(r.token_id).toBe(tokenId)
    // A request's rows stay together, in its own order.
    for (let i = 0; i < N; i++) {
      const at = rows.findIndex((r) => r.reason === `render ${i}`)
      expect(rows.slice(at, at + 2).map((r) => `${r.reason}|${r.secret_name}`)).toEqual([`render ${i}|GITHUB_USER`, `render ${i}|GITHUB_TOKEN`])
    }
    expect(await h.ctx.service.auditLog.verify(h.ctx.store.db)).toMatchObject({ ok: true })

    const stats = h.ctx.service.auditBatcher.stats
    const requests = stats.requests - before.requests
    const batches = stats.batches - before.batches
    expect(requests).toBe(2 * N + 8)
    expect(stats.rows - before.rows).toBe(rows.length)
    expect(batches).toBeLessThan(requests)
  })

  test('when the audit cannot be written, every concurrent delivery fails with a 500, none carries plaintext, no row is added and the head is unchanged', async () => {
    const headBefore = await h.ctx.service.auditLog.head(h.ctx.store.db)
    const rowsBefore = (await h.snapshot()).audit.length
    await makeAuditReadOnly(h.ctx)
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => render(i)),
      ...Array.from({ length: 8 }, (_, i) => resolve(i, ['GITHUB_TOKEN', 'GITHUB_USER'])),
    ])
    for (const res of answers) {
      expect(res.status).toBe(500)
      const text = await res.clone().text()
      for (const s of SECRETS) expect(text).not.toContain(s)
      expect((await errorOf(res)).code).toBe('internal_error')
    }
    expect((await h.snapshot()).audit.length).toBe(rowsBefore)
    expect(await h.ctx.service.auditLog.head(h.ctx.store.db)).toEqual(headBefore)
    expect(h.ctx.service.auditBatcher.stats.failedBatches).toBeGreaterThan(0)
  })
})
