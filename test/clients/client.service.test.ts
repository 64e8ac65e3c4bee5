import { afterEach, beforeEach, expect, test } from 'bun:test'
import { ClientExistsError, ClientNotFoundError, TokenNotFoundError } from '../../src/clients/client-errors.ts'
import { ClientService } from '../../src/clients/client.service.ts'
import { clientDb } from '../../src/clients/client.table.ts'
import type { SecretsContext } from '../../src/context.ts'
import { ValidationError } from '../../src/errors.ts'
import { memoryContext, testClock } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'

const DAY = 86_400_000

describeEachDialect('ClientService', (dialect) => {
  let ctx: SecretsContext
  let clock: ReturnType<typeof testClock>
  let clients: ClientService

  beforeEach(async () => {
    clock = testClock()
    ctx = await memoryContext({}, { now: clock.now }, dialect)
    clients = new ClientService({ db: ctx.store.db, now: clock.now })
  })
  afterEach(() => ctx.close())

  const tables = async () => {
    const db = clientDb(ctx.store.db)
    return {
      client: await db.selectFrom('client').selectAll().orderBy('name').execute(),
      grant: await db.selectFrom('client_grant').selectAll().orderBy('client_name').orderBy('pattern').execute(),
      token: await db.selectFrom('client_token').selectAll().orderBy('id').execute(),
    }
  }

  test('add stores the client and its grants, distinct and sorted', async () => {
    const added = await clients.add({ name: 'mcp-github', description: 'the GitHub MCP server', grants: ['GITHUB_*', 'SLACK_TOKEN', 'GITHUB_*'] })
    expect(added).toEqual({
      name: 'mcp-github',
      description: 'the GitHub MCP server',
      grants: ['GITHUB_*', 'SLACK_TOKEN'],
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      tokens: [],
    })
    expect(await clients.get('mcp-github')).toEqual(added)
    expect(await clients.list()).toEqual([added])
  })

  test('bad input is refused naming the field, and nothing is written', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: 'Bad', grants: [] }, 'name'],
      [{ name: 'ok', grants: ['github_*'] }, 'grants'],
      [{ name: 'ok', grants: 'GITHUB_*' }, 'grants'],
      [{ name: 'ok', grants: ['A'], description: 'x\u0007' }, 'description'],
      [{ name: 'ok', grants: Array.from({ length: 101 }, (_, i) => `N${i}`) }, 'grants'],
    ]
    for (const [input, field] of cases) {
      const error = await clients.add(input as never).catch((e) => e)
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).field).toBe(field)
    }
    expect(await tables()).toEqual({ client: [], grant: [], token: [] })
  })

  test('a second add of a name is ClientExistsError, also when two race', async () => {
    const results = await Promise.allSettled([
      clients.add({ name: 'ci', grants: ['A'] }),
      clients.add({ name: 'ci', grants: ['B'] }),
    ])
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1)
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(rejected.reason).toBeInstanceOf(ClientExistsError)
    // The winner's grants, never a mix.
    const { grant } = await tables()
    expect(grant.length).toBe(1)
  })

  test('update replaces the grant list whole; concurrent updates never mix', async () => {
    await clients.add({ name: 'ci', grants: ['OLD'] })
    clock.tick(1000)
    const updated = await clients.update('ci', { grants: ['NEW_*'] })
    expect(updated.grants).toEqual(['NEW_*'])
    expect(updated.updated_at).toBe('2026-01-01T00:00:01.000Z')
    expect(updated.description).toBe('')
    const lists = [['A1', 'A2', 'A3'], ['B1', 'B2']]
    await Promise.all([...lists, ...lists].map((grants) => clients.update('ci', { grants })))
    const final = (await clients.get('ci')).grants
    expect(lists).toContainEqual(final)
    await expect(clients.update('nobody', { grants: [] })).rejects.toBeInstanceOf(ClientNotFoundError)
  })

  test('a token is shown once: the store holds its hash and id only', async () => {
    await clients.add({ name: 'ci', grants: ['A'] })
    const { token, info } = await clients.issueToken('ci')
    expect(info.expires_at).toBe(new Date(Date.parse('2026-01-01T00:00:00.000Z') + 90 * DAY).toISOString())
    const { token: rows } = await tables()
    expect(rows.length).toBe(1)
    expect(JSON.stringify(rows)).not.toContain(token)
    expect(JSON.stringify(rows)).not.toContain(token.slice(4))
    expect(JSON.stringify(await clients.list())).not.toContain(token.slice(4))
    expect((await clients.get('ci')).tokens).toEqual([info])
  })

  test('authenticate: valid, malformed, unknown, wrong secret part, expired, revoked, removed client', async () => {
    await clients.add({ name: 'ci', grants: ['A_*'] })
    const short = await clients.issueToken('ci', 30 * 60_000)
    const other = await clients.issueToken('ci')
    const ok = await clients.authenticate(other.token)
    expect(ok).toEqual({ ok: true, principal: { client: 'ci', tokenId: other.info.id, grants: ['A_*'], lastUsedAt: null } })
    expect(await clients.authenticate('chs_nope')).toEqual({ ok: false, why: 'malformed' })
    expect(await clients.authenticate(`chs_${'A'.repeat(43)}`)).toEqual({ ok: false, why: 'unknown' })
    // Same id (first 8 bytes), different secret part.
    const bytes = Buffer.from(other.token.slice(4), 'base64url')
    bytes[31] = bytes[31]! ^ 0xff
    expect(await clients.authenticate(`chs_${bytes.toString('base64url')}`)).toEqual({ ok: false, why: 'wrong', tokenId: other.info.id, client: 'ci' })
    clock.tick(30 * 60_000)
    expect(await clients.authenticate(short.token)).toEqual({ ok: false, why: 'expired', tokenId: short.info.id, client: 'ci' })
    expect(await clients.revoke('ci', other.info.id)).toBe(1)
    expect(await clients.authenticate(other.token)).toEqual({ ok: false, why: 'revoked', tokenId: other.info.id, client: 'ci' })
    const third = await clients.issueToken('ci')
    await clients.remove('ci')
    expect(await clients.authenticate(third.token)).toEqual({ ok: false, why: 'unknown' })
    expect(await tables()).toEqual({ client: [], grant: [], token: [] })
  })

  test('revoke all ends every live token; unknown ids and clients are named', async () => {
    await clients.add({ name: 'ci', grants: ['A'] })
    await clients.add({ name: 'other', grants: ['A'] })
    const a = await clients.issueToken('ci')
    const b = await clients.issueToken('ci')
    const c = await clients.issueToken('other')
    await expect(clients.revoke('ci', c.info.id)).rejects.toBeInstanceOf(TokenNotFoundError)
    await expect(clients.revoke('ci', 'not-an-id')).rejects.toBeInstanceOf(ValidationError)
    await expect(clients.revoke('nobody')).rejects.toBeInstanceOf(ClientNotFoundError)
    expect(await clients.revoke('ci')).toBe(2)
    expect(await clients.revoke('ci')).toBe(0)
    for (const t of [a, b]) expect((await clients.authenticate(t.token)).ok).toBe(false)
    expect((await clients.authenticate(c.token)).ok).toBe(true)
    expect((await clients.get('ci')).tokens.every((t) => t.revoked_at === '2026-01-01T00:00:00.000Z')).toBe(true)
  })

  test('a token is never issued to a client removed at the same time', async () => {
    for (let i = 0; i < 20; i++) {
      await clients.add({ name: `c${i}`, grants: ['A'] })
      const [issued] = await Promise.allSettled([clients.issueToken(`c${i}`), clients.remove(`c${i}`)])
      if (issued.status === 'rejected') expect(issued.reason).toBeInstanceOf(ClientNotFoundError)
      else expect((await clients.authenticate(issued.value.token)).ok).toBe(false)
    }
    expect((await tables()).token).toEqual([])
  })

  test('recordUse writes the last use at most once a minute', async () => {
    await clients.add({ name: 'ci', grants: ['A'] })
    const { token, info } = await clients.issueToken('ci')
    const use = async () => {
      const auth = await clients.authenticate(token)
      if (!auth.ok) throw new Error('refused')
      await clients.recordUse(auth.principal)
    }
    await use()
    expect((await clients.get('ci')).tokens[0]!.last_used_at).toBe('2026-01-01T00:00:00.000Z')
    clock.tick(30_000)
    await use()
    expect((await clients.get('ci')).tokens[0]!.last_used_at).toBe('2026-01-01T00:00:00.000Z')
    clock.tick(30_000)
    await use()
    expect((await clients.get('ci')).tokens[0]).toEqual({ ...info, last_used_at: '2026-01-01T00:01:00.000Z' })
  })

  test('ttl out of range is refused, nothing issued', async () => {
    await clients.add({ name: 'ci', grants: ['A'] })
    for (const ttl of [0, 59_999, 3651 * DAY, 1.5]) {
      await expect(clients.issueToken('ci', ttl)).rejects.toBeInstanceOf(ValidationError)
    }
    await expect(clients.issueToken('nobody')).rejects.toBeInstanceOf(ClientNotFoundError)
    expect((await tables()).token).toEqual([])
  })
})
