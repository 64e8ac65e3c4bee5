import { afterAll, beforeAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { BIN, runBin, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'
import { login, type ServeProcess, startServe } from '../helpers/serve.ts'

describeEachDialect('secrets operator passwd', (dialect) => {
  let tmp: ReturnType<typeof tempDir>
  let db: Awaited<ReturnType<typeof freshDatabase>>
  let env: Record<string, string>
  let server: ServeProcess
  const OLD = 'old-password-sentinel-1'
  const NEW = 'new-password-sentinel-2'

  beforeAll(async () => {
    tmp = tempDir()
    db = await freshDatabase(dialect, `file:${join(tmp.dir, 'ops.db')}`)
    env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
    expect((await runBin(['operator', 'add', 'alice'], { env, stdin: `${OLD}\n` })).code).toBe(0)
    server = await startServe([BIN, 'serve', '--port', '0'], env)
  })
  afterAll(async () => {
    expect(await server.stop()).toBe(0)
    await db.drop()
    tmp.cleanup()
  })

  test('sets a new password, the old one stops working, and existing sessions end', async () => {
    const before = await login(server.base, 'alice', OLD)
    expect(before.status).toBe(200)
    expect((await fetch(`${server.base}/secrets`, { headers: { cookie: before.cookie } })).status).toBe(200)

    const r = await runCli(['operator', 'passwd', 'alice'], { env, stdin: `${NEW}\n` })
    expect(r).toMatchObject({ code: 0, stdout: 'changed the password of alice; their sessions are ended\n', stderr: '' })
    expect(r.stdout + r.stderr).not.toContain(NEW)

    expect((await fetch(`${server.base}/secrets`, { headers: { cookie: before.cookie } })).status).toBe(401)
    expect((await login(server.base, 'alice', OLD)).status).toBe(401)
    expect((await login(server.base, 'alice', NEW)).status).toBe(200)
  })

  test('refuses an unknown operator before asking for a password, and a short password, changing nothing', async () => {
    const unknown = await runCli(['operator', 'passwd', 'bob'], { env, tty: 'whatever-long-enough' })
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe('secrets: operator bob does not exist\n')
    const short = await runCli(['operator', 'passwd', 'alice'], { env, stdin: 'tiny-pw\n' })
    expect(short.code).toBe(1)
    expect(short.stderr).toBe('secrets: password must be at least 12 characters\n')
    expect((await login(server.base, 'alice', NEW)).status).toBe(200)
    expect((await runCli(['operator', 'passwd'], { env })).code).toBe(2)
  })
})
