import { afterEach, beforeEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import { createApp } from '../../src/http/app.ts'
import { OperatorService } from '../../src/operators/operator.service.ts'
import { memoryContext, tempDir, testClock } from '../helpers/context.ts'
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

describeEachDialect('a cached session expires on time', (dialect) => {
  test('idle and absolute expiry: the first request past the limit is 401, with the cache warm and the database unchanged', async () => {
    const tmp = tempDir()
    const shared = await freshDatabase(dialect, `file:${join(tmp.dir, 'clock.db')}`)
    const clock = testClock()
    const server = await memoryContext({ DATABASE_URL: shared.url }, { now: clock.now })
    try {
      await new OperatorService({ db: server.store.db, passwordParams: FAST_SCRYPT }).add(ALICE.username, ALICE.password)
      const policy = { idleMs: 10 * 60_000, absoluteMs: 25 * 60_000, touchIntervalMs: 60_000 }
      const app = createApp({ ctx: server, now: clock.now, sessionPolicy: policy, passwordParams: FAST_SCRYPT, webDir: NO_UI, logger: { request() {}, error() {} } })
      const login = async () => {
        const res = await app.request('/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ALICE) })
        return res.headers.get('Set-Cookie')!.split(';')[0]!
      }
      const status = async (cookie: string) => (await app.request('/secrets', { headers: { Cookie: cookie } })).status
      // Idle: used, then left alone just under, then just past the idle limit.
      let cookie = await login()
      expect(await status(cookie)).toBe(200)
      clock.tick(policy.idleMs - 1)
      expect(await status(cookie)).toBe(200)
      clock.tick(policy.idleMs)
      expect(await status(cookie)).toBe(401)
      // Absolute: kept busy (touched every 5 min), refused once 25 min have passed since the login.
      cookie = await login()
      for (let t = 0; t < 4; t++) {
        clock.tick(5 * 60_000)
        expect(await status(cookie)).toBe(200)
        expect(await status(cookie)).toBe(200)
      }
      clock.tick(5 * 60_000 - 1)
      expect(await status(cookie)).toBe(200)
      clock.tick(1)
      expect(await status(cookie)).toBe(401)
    } finally {
      await server.close()
      await shared.drop()
      tmp.cleanup()
    }
  })
})
