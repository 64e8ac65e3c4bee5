/**
 * Two server processes on one database, written to and rendered from at the
 * same time: no lost audit rows, one consistent audit chain, no duplicate
 * names. Runs on both databases of the matrix (SQLite: two processes on one
 * file; PostgreSQL: the several-instances deployment).
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { openSecrets } from '../../src/context.ts'
import { BIN, runBin } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'
import { login, type ServeProcess, startServe } from '../helpers/serve.ts'

interface Server {
  base: string
  serve: ServeProcess
  cookie: string
  csrf: string
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const serve = await startServe([BIN, 'serve', '--port', '0'], env)
  const session = await login(serve.base, 'alice', 'correct horse battery staple')
  expect(session.status).toBe(200)
  return { base: serve.base, serve, cookie: session.cookie, csrf: session.csrf }
}

function send(server: Server, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.base}${path}`, {
    method,
    headers: { cookie: server.cookie, 'x-csrf-token': server.csrf, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

describeEachDialect('two servers on one database', (dialect) => {
  let tmp: ReturnType<typeof tempDir>
  let db: Awaited<ReturnType<typeof freshDatabase>>
  let env: Record<string, string>
  let servers: Server[] = []

  beforeAll(async () => {
    tmp = tempDir()
    db = await freshDatabase(dialect, `file:${join(tmp.dir, 'secrets.db')}`)
    env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
    expect((await runBin(['operator', 'add', 'alice'], { env, stdin: 'correct horse battery staple\n' })).code).toBe(0)
    for (let i = 0; i < 4; i++) expect((await runBin(['set', `SHARED_${i}`], { env, stdin: `shared-value-${i}` })).code).toBe(0)
    servers = [await startServer(env), await startServer(env)]
  })

  afterAll(async () => {
    expect(await Promise.all(servers.map((s) => s.serve.stop()))).toEqual(servers.map(() => 0))
    await db.drop()
    tmp.cleanup()
  })

  test('creates race on the same names, replaces and renders run at once; the chain and the counts hold', async () => {
    const before = await openSecrets(env)
    const rowsBefore = (await before.store.db.selectFrom('secret_access_log').select('id').execute()).length
    await before.close()

    const NAMES = 15
    const creates = Array.from({ length: NAMES * 2 }, (_, i) =>
      send(servers[i % 2]!, 'POST', '/secrets', { name: `RACE_${i % NAMES}`, value: `race-${i}` }).then((r) => r.status),
    )
    const replaces = Array.from({ length: 30 }, (_, i) =>
      send(servers[i % 2]!, 'PUT', `/secrets/SHARED_${i % 4}`, { value: `replaced-${i}` }).then((r) => r.status),
    )
    const RENDERS = 6
    const renders = Array.from({ length: RENDERS }, () =>
      runBin(['render', '--accessor', 'ci', '--reason', 'concurrent render'], {
        env,
        stdin: '${SECRET:SHARED_0} ${SECRET:SHARED_1} ${SECRET:SHARED_2} ${SECRET:SHARED_0}',
      }),
    )
    const [createStatus, replaceStatus, renderResults] = await Promise.all([
      Promise.all(creates),
      Promise.all(replaces),
      Promise.all(renders),
    ])

    // Every name created exactly once: one 201 and one 409 per name.
    expect(createStatus.filter((s) => s === 201).length).toBe(NAMES)
    expect(createStatus.filter((s) => s === 409).length).toBe(NAMES)
    expect(replaceStatus.every((s) => s === 200)).toBe(true)
    for (const r of renderResults) {
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^(shared-value-0|replaced-\d+) (shared-value-1|replaced-\d+) (shared-value-2|replaced-\d+) \S+$/)
    }

    const list = (await (await send(servers[0]!, 'GET', '/secrets')).json()) as { secrets: Array<{ name: string }> }
    const names = list.secrets.map((s) => s.name)
    expect(new Set(names).size).toBe(names.length)
    expect(names.filter((n) => n.startsWith('RACE_')).length).toBe(NAMES)

    const after = await openSecrets(env)
    try {
      const rows = await after.store.db.selectFrom('secret_access_log').selectAll().where('id', '>', rowsBefore).execute()
      const count = (action: string) => rows.filter((r) => r.action === action).length
      expect(count('create')).toBe(NAMES)
      expect(count('replace')).toBe(30)
      expect(count('read')).toBe(RENDERS * 3)
      expect(rows.length).toBe(NAMES + 30 + RENDERS * 3)
      const verify = await after.service.auditLog.verify(after.store.db)
      expect(verify).toMatchObject({ ok: true, rows: rowsBefore + rows.length })
    } finally {
      await after.close()
    }
  })
})
