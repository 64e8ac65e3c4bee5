import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Database } from 'bun:sqlite'
import { runBin, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { randomKey } from '../helpers/keys.ts'
import { freshDatabase, POSTGRES_URL } from '../helpers/databases.ts'
import { freePort, startPgCluster } from '../../scripts/pg-cluster.ts'
import { startServe } from '../helpers/serve.ts'

const ROOT = join(import.meta.dir, '..', '..')
const PASSWORD = 'hunter2-correct-horse'
let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir()
})
afterAll(() => tmp.cleanup())

/** `secrets list` in-process and as the real executable, and `secrets serve`: the same one line on stderr. */
async function failures(url: string): Promise<{ cli: { code: number; stderr: string }; bin: { code: number; stderr: string }; serve: { code: number; stderr: string } }> {
  const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: url }
  const cli = await runCli(['list'], { env })
  const bin = await runBin(['list'], { env })
  const serve = await runBin(['serve', '--port', '0'], { env })
  return { cli, bin, serve }
}

function expectOneLine(r: { code: number; stderr: string }, code: number, parts: string[]): void {
  expect(r.code).toBe(code)
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
  expect(r.stderr).not.toContain('database migration unknown failed')
  expect(r.stderr).not.toContain(PASSWORD)
  for (const p of parts) expect(r.stderr).toContain(p)
}

describe.skipIf(!POSTGRES_URL)('PostgreSQL failures name their cause in one line, never the password', () => {
  test('wrong password: exit 78, host, port, database, user and the reason', async () => {
    const cluster = await startPgCluster({ password: PASSWORD })
    try {
      const url = `postgres://postgres:${PASSWORD}-wrong@127.0.0.1:${cluster.port}/postgres`
      // The right password works: the refusal below is the password's.
      expect((await runCli(['list'], { env: { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${cluster.port}/postgres` } })).code).toBe(0)
      const r = await failures(url)
      for (const each of [r.cli, r.bin, r.serve]) {
        expectOneLine(each, 78, [`PostgreSQL at 127.0.0.1:${cluster.port}, database postgres, user postgres`, 'password authentication failed'])
        expect(each.stderr).not.toContain(`${PASSWORD}-wrong`)
      }
    } finally {
      await cluster.stop()
    }
  })

  test('nothing listening: exit 1, connection refused, where', async () => {
    const port = await freePort()
    const r = await failures(`postgres://app:${PASSWORD}@127.0.0.1:${port}/secrets`)
    for (const each of [r.cli, r.bin, r.serve]) {
      expectOneLine(each, 1, [`PostgreSQL at 127.0.0.1:${port}, database secrets, user app`, 'connection refused: nothing is listening there'])
    }
  })

  test('missing database: exit 78, the database named', async () => {
    const url = new URL(POSTGRES_URL!)
    url.pathname = '/chs_no_such_database'
    url.password = PASSWORD
    const r = await failures(url.toString())
    for (const each of [r.cli, r.bin, r.serve]) {
      expectOneLine(each, 78, [`PostgreSQL at ${url.hostname}:${url.port}, database chs_no_such_database, user ${url.username}`, 'the database does not exist'])
    }
  })

  test('an older binary against a newer schema says so, naming the migrations it does not know', async () => {
    const db = await freshDatabase('postgres')
    try {
      const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
      expect((await runCli(['list'], { env })).code).toBe(0)
      const pg = (await import('pg')).default
      const client = new pg.Client({ connectionString: db.url })
      await client.connect()
      await client.query("INSERT INTO kysely_migration (name, timestamp) VALUES ('0042_from_a_newer_release', '2030-01-01T00:00:00.000Z')")
      await client.end()
      for (const r of [await runCli(['list'], { env }), await runBin(['serve', '--port', '0'], { env })]) {
        expectOneLine(r, 78, ["the database's schema is newer than this build: migration 0042_from_a_newer_release unknown to it"])
      }
    } finally {
      await db.drop()
    }
  })
})

describe('SQLite failures name their cause in one line', () => {
  test('a file that is not a database: exit 78, the file named', async () => {
    const path = join(tmp.dir, 'not-a-db.db')
    writeFileSync(path, 'x'.repeat(8192), { mode: 0o600 })
    const r = await failures(`file:${path}`)
    for (const each of [r.cli, r.bin, r.serve]) expectOneLine(each, 78, [`SQLite file ${path}`, 'not a SQLite database'])
  })

  test.skipIf(process.getuid?.() === 0)('a directory it may not write: exit 1, the file named', async () => {
    const dir = join(tmp.dir, 'ro')
    mkdirSync(dir, { mode: 0o500 })
    chmodSync(dir, 0o500)
    const r = await failures(`file:${join(dir, 'secrets.db')}`)
    for (const each of [r.cli, r.bin]) expectOneLine(each, 1, [`SQLite file ${join(dir, 'secrets.db')}`, 'permission denied'])
  })

  test('an older binary against a newer schema says so (exit 78)', async () => {
    const path = join(tmp.dir, 'newer.db')
    const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${path}` }
    expect((await runCli(['list'], { env })).code).toBe(0)
    const db = new Database(path)
    db.exec("INSERT INTO kysely_migration (name, timestamp) VALUES ('0042_from_a_newer_release', '2030-01-01T00:00:00.000Z'), ('0043_and_another', '2030-01-02T00:00:00.000Z')")
    db.close()
    const r = await runCli(['list'], { env })
    expectOneLine(r, 78, ["the database's schema is newer than this build: migrations 0042_from_a_newer_release, 0043_and_another unknown to it (a newer release applied them)"])
  })
})

describe('a DATABASE_URL that does not parse: exit 78 naming DATABASE_URL, never the URL', () => {
  // Before, these left the URL parser's own words ("URI error", "Invalid URL") with exit 1, as if the store might come back.
  const cases = [
    ['a file: URL with a bad percent escape', 'file:///tmp/chs-x/%zz.db'],
    ['a file: URL with a bad host', 'file://[bad/secrets.db'],
    ['a postgres: URL with a bad host', `postgres://app:${PASSWORD}@[bad/secrets`],
    ['a postgres: URL with a port out of range', `postgres://app:${PASSWORD}@127.0.0.1:99999/secrets`],
  ] as const
  for (const [what, url] of cases) {
    test(what, async () => {
      const r = await failures(url)
      for (const each of [r.cli, r.bin, r.serve]) {
        expectOneLine(each, 78, ['DATABASE_URL'])
        expect(each.stderr).not.toContain(url)
        expect(each.stderr).not.toMatch(/URI error|Invalid URL/)
      }
    })
  }
})

describe.skipIf(!POSTGRES_URL)('GET /readyz checks the store; /healthz stays liveness', () => {
  test('with PostgreSQL gone: /healthz 200, /readyz 503 store_unavailable, /secrets 503 (not 500), one log line naming where', async () => {
    const cluster = await startPgCluster({ password: PASSWORD })
    const env = {
      CLAUDE_HOOKS_SECRET_KEY: randomKey(),
      DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${cluster.port}/postgres`,
      PORT: '0',
      HOME: process.env.HOME ?? '/tmp',
    }
    let stopped = false
    const server = await startServe([join(ROOT, 'bin', 'secrets'), 'serve'], env)
    try {
      expect((await fetch(`${server.base}/readyz`)).status).toBe(200)
      expect(await (await fetch(`${server.base}/readyz`)).json()).toEqual({ status: 'ready' })
      await cluster.stop()
      stopped = true
      const health = await fetch(`${server.base}/healthz`)
      expect(health.status).toBe(200)
      const ready = await fetch(`${server.base}/readyz`)
      expect(ready.status).toBe(503)
      const body = (await ready.json()) as { error: { code: string; message: string } }
      expect(body.error.code).toBe('store_unavailable')
      expect(body.error.message).not.toContain('127.0.0.1')
      const secrets = await fetch(`${server.base}/secrets`, { headers: { cookie: `secrets_session=${'A'.repeat(43)}` } })
      expect(secrets.status).toBe(503)
      expect(((await secrets.json()) as { error: { code: string } }).error.code).toBe('store_unavailable')
      await Bun.sleep(200)
      // The log is JSON lines on stdout (a pipe): the error's message says where the store is and why.
      const errors = server.stdout().trimEnd().split('\n').map((l) => JSON.parse(l) as { where?: string; error?: { message?: string } })
      const line = errors.find((l) => l.where === 'GET /readyz')?.error?.message
      expect(line).toBeDefined()
      expect(line).toContain('store does not answer')
      expect(line).toContain(`PostgreSQL at 127.0.0.1:${cluster.port}, database postgres, user postgres`)
      const secretsLine = errors.find((l) => l.where === 'GET /secrets: store_unavailable')?.error?.message
      expect(secretsLine).toContain(`the store does not answer (PostgreSQL at 127.0.0.1:${cluster.port}, database postgres, user postgres: connection refused`)
      expect(server.stdout()).not.toContain(PASSWORD)
      expect(server.stderr()).not.toContain(PASSWORD)
    } finally {
      await server.stop()
      if (!stopped) await cluster.stop()
    }
  })
})
