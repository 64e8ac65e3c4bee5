import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { sql } from 'kysely'
import { join } from 'node:path'
import type { SecretsContext } from '../../../src/context.ts'
import { createApp } from '../../../src/http/app.ts'
import { DatabaseGeneration } from '../../../src/store/database-generation.ts'
import { OperatorService } from '../../../src/operators/operator.service.ts'
import { memoryContext, tempDir } from '../../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../../helpers/databases.ts'
import { ALICE, FAST_SCRYPT, NO_UI } from '../harness.ts'

/**
 * The server keeps sessions and the secrets list between requests while
 * the database generation stays the same (SQLite; PostgreSQL caches
 * nothing). Another process writing to the same database (the CLI, a
 * second server) must be seen at once.
 */
describeEachDialect('cache coherence', (dialect) => {
  let tmp: ReturnType<typeof tempDir>
  let shared: Awaited<ReturnType<typeof freshDatabase>>
  let server: Awaited<ReturnType<typeof memoryContext>>
  let cli: SecretsContext
  let app: ReturnType<typeof createApp>
  let cookie: string
  let csrf: string

  beforeEach(async () => {
    tmp = tempDir()
    shared = await freshDatabase(dialect, `file:${join(tmp.dir, 'shared.db')}`)
    const url = shared.url
    server = await memoryContext({ DATABASE_URL: url })
    cli = await memoryContext({ DATABASE_URL: url, CLAUDE_HOOKS_SECRET_KEY: server.env.CLAUDE_HOOKS_SECRET_KEY })
    await new OperatorService({ db: cli.store.db, passwordParams: FAST_SCRYPT }).add(ALICE.username, ALICE.password)
    app = createApp({ ctx: server, passwordParams: FAST_SCRYPT, webDir: NO_UI, logger: { request() {}, error() {} } })
    const login = await app.request('/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ALICE) })
    cookie = login.headers.get('Set-Cookie')!.split(';')[0]!
    csrf = ((await login.json()) as { csrf_token: string }).csrf_token
  })
  afterEach(async () => {
    await server.close()
    await cli.close()
    await shared.drop()
    tmp.cleanup()
  })

  const names = async () =>
    ((await (await app.request('/secrets', { headers: { Cookie: cookie } })).json()) as { secrets: Array<{ name: string }> }).secrets.map((s) => s.name)

  describe('cached reads stay coherent', () => {
    test('a secret created, replaced or deleted by another process shows in the next list', async () => {
      expect(await names()).toEqual([])
      expect(await names()).toEqual([])
      await cli.service.create({ name: 'FROM_CLI', value: 'v', description: 'one' }, { accessor: 'cli:test', reason: 'test' })
      expect(await names()).toEqual(['FROM_CLI'])
      await cli.service.replace('FROM_CLI', { value: 'w', description: 'two' }, { accessor: 'cli:test', reason: 'test' })
      const listed = (await (await app.request('/secrets', { headers: { Cookie: cookie } })).json()) as { secrets: Array<{ description: string }> }
      expect(listed.secrets[0]!.description).toBe('two')
      await cli.service.delete('FROM_CLI', { accessor: 'cli:test', reason: 'test' })
      expect(await names()).toEqual([])
    })

    test('a change through the API shows in the next list', async () => {
      expect(await names()).toEqual([])
      const created = await app.request('/secrets', {
        method: 'POST',
        headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'FROM_API', value: 'v' }),
      })
      expect(created.status).toBe(201)
      expect(await names()).toEqual(['FROM_API'])
    })

    test('`secrets operator remove` in another process ends a session the server had cached', async () => {
      expect((await app.request('/secrets', { headers: { Cookie: cookie } })).status).toBe(200)
      expect((await app.request('/secrets', { headers: { Cookie: cookie } })).status).toBe(200)
      await new OperatorService({ db: cli.store.db }).remove('alice')
      expect((await app.request('/secrets', { headers: { Cookie: cookie } })).status).toBe(401)
    })

    test('a logout ends the cached session at once', async () => {
      await names()
      const out = await app.request('/session', { method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': csrf } })
      expect(out.status).toBe(204)
      expect((await app.request('/secrets', { headers: { Cookie: cookie } })).status).toBe(401)
    })
  })

  describe('DatabaseGeneration', () => {
    // Only SQLite has the signal; the PostgreSQL case is the next test.
    if (dialect === 'sqlite') test('SQLite: moves when another connection commits or this process bumps, not otherwise', async () => {
      const g = new DatabaseGeneration(server.store.db, 'sqlite')
      const a = await g.current()
      expect(await g.current()).toBe(a)
      await cli.service.create({ name: 'X', value: 'v' }, { accessor: 'cli:test', reason: 'test' })
      const b = await g.current()
      expect(b).not.toBe(a)
      g.bump()
      expect(await g.current()).not.toBe(b)
    })

    if (dialect === 'sqlite') test('SQLite, read synchronously on the driver (Store.dataVersion, what the app uses): moves the same way', async () => {
      expect(typeof server.store.dataVersion).toBe('function')
      const g = new DatabaseGeneration(server.store.db, 'sqlite', server.store.dataVersion)
      const a = await g.current()
      expect(await g.current()).toBe(a)
      await cli.service.create({ name: 'Y', value: 'v' }, { accessor: 'cli:test', reason: 'test' })
      const b = await g.current()
      expect(b).not.toBe(a)
      // The same counter as the pragma through Kysely.
      expect(b!.split('.')[0]).toBe((await new DatabaseGeneration(server.store.db, 'sqlite').current())!.split('.')[0])
      g.bump()
      expect(await g.current()).not.toBe(b)
    })

    if (dialect === 'postgres') test('PostgreSQL: no signal on the real store, so nothing is cached', async () => {
      expect(server.store.dialect).toBe('postgres')
      expect(await new DatabaseGeneration(server.store.db, server.store.dialect).current()).toBeUndefined()
      expect(server.store.dataVersion).toBeUndefined()
      expect(await new DatabaseGeneration(server.store.db, server.store.dialect, () => 1).current()).toBeUndefined()
    })
  })

  describe('changes made in the database itself, bypassing the service', () => {
    const directly = async (db: SecretsContext['store']['db'], query: ReturnType<typeof sql>) => {
      await query.execute(db)
    }

    test('another connection updating a row: the next list shows it', async () => {
      await cli.service.create({ name: 'ROW', value: 'v', description: 'before' }, { accessor: 'cli:test', reason: 'test' })
      const description = async () =>
        ((await (await app.request('/secrets', { headers: { Cookie: cookie } })).json()) as { secrets: Array<{ description: string }> }).secrets[0]!.description
      expect(await description()).toBe('before')
      await directly(cli.store.db, sql`update secret set description = ${'after'} where name = ${'ROW'}`)
      expect(await description()).toBe('after')
    })

    test('another connection deleting the session row: the next request is 401', async () => {
      expect((await app.request('/secrets', { headers: { Cookie: cookie } })).status).toBe(200)
      await directly(cli.store.db, sql`delete from operator_session`)
      expect((await app.request('/secrets', { headers: { Cookie: cookie } })).status).toBe(401)
    })

    // The server's own pool, without the bump a request makes: SQLite's data_version does not
    // move for a connection's own commits, so SQLite serves the cached list; PostgreSQL, which
    // caches nothing, shows the change at once.
    test(dialect === 'postgres' ? 'PostgreSQL: even the server\'s own connection, unannounced: the next list and session check show it' : 'SQLite: even the server\'s own connection, unannounced: seen too (every commit moves the WAL-index header)', async () => {
      await cli.service.create({ name: 'OWN', value: 'v', description: 'before' }, { accessor: 'cli:test', reason: 'test' })
      const description = async () =>
        ((await (await app.request('/secrets', { headers: { Cookie: cookie } })).json()) as { secrets: Array<{ description: string }> }).secrets[0]!.description
      expect(await description()).toBe('before')
      await directly(server.store.db, sql`update secret set description = ${'after'} where name = ${'OWN'}`)
      expect(await description()).toBe('after')
      await directly(server.store.db, sql`delete from operator_session`)
      expect((await app.request('/secrets', { headers: { Cookie: cookie } })).status).toBe(401)
    })

    test(dialect === 'postgres' ? 'PostgreSQL: nothing is cached, every list is queried' : 'SQLite: the cache is real: lists in a row with no commit between are queried once', async () => {
      let queried = 0
      const list = server.service.list.bind(server.service)
      server.service.list = (...args: Parameters<typeof list>) => {
        queried++
        return list(...args)
      }
      for (let i = 0; i < 3; i++) expect((await app.request('/secrets', { headers: { Cookie: cookie } })).status).toBe(200)
      expect(queried).toBe(dialect === 'postgres' ? 3 : 1)
    })
  })
})
