import { afterEach, beforeEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import { createApp } from '../../src/http/app.ts'
import { OperatorService } from '../../src/operators/operator.service.ts'
import { memoryContext, tempDir } from '../helpers/context.ts'
import { runBin } from '../helpers/cli.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { ALICE, FAST_SCRYPT, NO_UI } from './harness.ts'

/**
 * The server keeps sessions and the secrets list in memory while the
 * database generation stays the same (SQLite: the WAL-index header, read
 * by database-generation.ts; PostgreSQL caches nothing). A change made by
 * another process, the real `secrets` command, must be seen by the very
 * next request, after the cache was warm.
 */
describeEachDialect('another process revokes or changes (bin/secrets as a child process)', (dialect) => {
  let tmp: ReturnType<typeof tempDir>
  let shared: Awaited<ReturnType<typeof freshDatabase>>
  let server: Awaited<ReturnType<typeof memoryContext>>
  let app: ReturnType<typeof createApp>
  let cookie: string
  let cliEnv: Record<string, string>

  beforeEach(async () => {
    tmp = tempDir()
    shared = await freshDatabase(dialect, `file:${join(tmp.dir, 'shared.db')}`)
    server = await memoryContext({ DATABASE_URL: shared.url })
    cliEnv = { DATABASE_URL: shared.url, CLAUDE_HOOKS_SECRET_KEY: server.env.CLAUDE_HOOKS_SECRET_KEY! }
    await new OperatorService({ db: server.store.db, passwordParams: FAST_SCRYPT }).add(ALICE.username, ALICE.password)
    app = createApp({ ctx: server, passwordParams: FAST_SCRYPT, webDir: NO_UI, logger: { request() {}, error() {} } })
    const login = await app.request('/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ALICE) })
    expect(login.status).toBe(200)
    cookie = login.headers.get('Set-Cookie')!.split(';')[0]!
  })
  afterEach(async () => {
    await server.close()
    await shared.drop()
    tmp.cleanup()
  })

  const list = () => app.request('/secrets', { headers: { Cookie: cookie } })

  test('`secrets operator passwd` in another process: the next request with the old cookie is 401', async () => {
    // Warm: the session and the list are cached now (on SQLite).
    expect((await list()).status).toBe(200)
    expect((await list()).status).toBe(200)
    expect((await app.request('/session', { headers: { Cookie: cookie } })).status).toBe(200)
    const passwd = await runBin(['operator', 'passwd', 'alice'], { env: cliEnv, stdin: 'a new long password for alice\n' })
    expect(passwd.stderr).toBe('')
    expect(passwd.code).toBe(0)
    expect((await list()).status).toBe(401)
    expect((await app.request('/session', { headers: { Cookie: cookie } })).status).toBe(401)
  })

  test('`secrets operator remove` in another process: the next request is 401', async () => {
    expect((await list()).status).toBe(200)
    expect((await list()).status).toBe(200)
    const removed = await runBin(['operator', 'remove', 'alice'], { env: cliEnv })
    expect(removed.code).toBe(0)
    expect((await list()).status).toBe(401)
  })

  test('`secrets set` in another process: the next list shows the new secret', async () => {
    const names = async () => ((await (await list()).json()) as { secrets: Array<{ name: string }> }).secrets.map((s) => s.name)
    expect(await names()).toEqual([])
    expect(await names()).toEqual([])
    const set = await runBin(['set', 'FROM_OTHER_PROCESS'], { env: cliEnv, stdin: 'value' })
    expect(set.code).toBe(0)
    expect(await names()).toEqual(['FROM_OTHER_PROCESS'])
  })
})
