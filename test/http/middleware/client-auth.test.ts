import { afterEach, beforeEach, expect, test } from 'bun:test'
import { ClientService } from '../../../src/clients/client.service.ts'
import { describeEachDialect } from '../../helpers/databases.ts'
import { CLI_ACTOR } from '../../helpers/context.ts'
import { errorOf, type Harness, harness } from '../harness.ts'

describeEachDialect('client token throttling', (dialect) => {
  let h: Harness
  let clients: ClientService
  let valid: { token: string; info: { id: string } }

  beforeEach(async () => {
    h = await harness({ tokenThrottlePolicy: { maxFailuresPerAddress: 3, maxFailuresPerUsername: 2 } }, dialect)
    clients = new ClientService({ db: h.ctx.store.db, now: h.clock.now })
    await h.ctx.service.create({ name: 'GITHUB_TOKEN', value: 'ghp-value-1' }, CLI_ACTOR)
    await clients.add({ name: 'ci', grants: ['GITHUB_*'] })
    valid = await clients.issueToken('ci')
  })
  afterEach(() => h.close())

  const resolve = (token: string, remoteAddress: string) =>
    h.request(
      '/resolve',
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'X-Secrets-Reason': 'r', 'Content-Type': 'application/json' },
        body: '{"names":["GITHUB_TOKEN"]}',
      },
      { remoteAddress },
    )
  const unknown = () => `chs_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`
  /** A token with the valid one's public id and a wrong secret part. */
  const sameId = () => {
    const bytes = Buffer.from(valid.token.slice(4), 'base64url')
    bytes.set(crypto.getRandomValues(new Uint8Array(24)), 8)
    return `chs_${bytes.toString('base64url')}`
  }

  test('bad tokens from one address lock that address, even for a valid token; other addresses go on', async () => {
    for (let i = 0; i < 3; i++) expect((await resolve(unknown(), '10.0.0.1')).status).toBe(401)
    const locked = await resolve(valid.token, '10.0.0.1')
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1)
    expect((await errorOf(locked)).code).toBe('rate_limited')
    // The same /64 is the same key for IPv6; another address is not.
    expect((await resolve(valid.token, '10.0.0.2')).status).toBe(200)
    h.clock.tick(61_000)
    expect((await resolve(valid.token, '10.0.0.1')).status).toBe(200)
  })

  test('wrong secrets with a known token id lock that id, from any address', async () => {
    expect((await resolve(sameId(), '10.0.1.1')).status).toBe(401)
    expect((await resolve(sameId(), '10.0.2.1')).status).toBe(401)
    expect((await resolve(valid.token, '10.0.3.1')).status).toBe(429)
    // Another token of the same client is not locked.
    const second = await clients.issueToken('ci')
    expect((await resolve(second.token, '10.0.3.1')).status).toBe(200)
  })

  test('a locked request is answered before the token is looked at, and writes no audit row', async () => {
    for (let i = 0; i < 3; i++) await resolve(unknown(), '10.0.0.9')
    const before = (await h.snapshot()).audit.length
    for (let i = 0; i < 5; i++) expect((await resolve(unknown(), '10.0.0.9')).status).toBe(429)
    expect((await h.snapshot()).audit.length).toBe(before)
  })

  test('many deliveries at once from one address are not counted as failures; the chain holds every row', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => resolve(valid.token, '10.0.0.5')))
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200))
    expect((await resolve(valid.token, '10.0.0.5')).status).toBe(200)
    const rows = (await h.snapshot()).audit.filter((r) => r.accessor === 'client:ci')
    expect(rows.length).toBe(31)
    expect(await h.ctx.service.auditLog.verify(h.ctx.store.db)).toMatchObject({ ok: true })
  })

  test('tokens never reach the request log or the error log', async () => {
    await resolve(valid.token, '10.0.0.1')
    await resolve(sameId(), '10.0.0.1')
    await h.request(`/render?token=${valid.token}`, { method: 'POST', headers: { 'X-Secrets-Reason': 'r' }, body: 'x' })
    const logged = JSON.stringify(h.logs) + JSON.stringify(h.errors.map((e) => [e.where, String(e.error)]))
    expect(logged).not.toContain(valid.token.slice(4, 20))
    expect(h.logs.map((l) => l.route)).toEqual(['/resolve', '/resolve', '/render'])
  })
})
