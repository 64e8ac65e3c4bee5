import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Database } from 'bun:sqlite'
import { runBin, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { randomKey } from '../helpers/keys.ts'
import { freshDatabase, POSTGRES_URL } from '../helpers/databases.ts'
import { startServe } from '../helpers/serve.ts'
import { runProcess, runtimes } from '../helpers/builds.ts'

const ROOT = join(import.meta.dir, '..', '..')
let tmp: ReturnType<typeof tempDir>
let n = 0
beforeAll(() => {
  tmp = tempDir()
})
afterAll(() => tmp.cleanup())

/** A new store with secret A set, its env and database path. */
async function storeWithA(): Promise<{ env: Record<string, string>; path: string }> {
  const path = join(tmp.dir, `store-${++n}`, 'secrets.db')
  const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${path}` }
  expect((await runCli(['set', 'A'], { env, stdin: 'value-a' })).code).toBe(0)
  return { env, path }
}

const names = async (env: Record<string, string>) => {
  const r = await runCli(['list', '--json'], { env })
  expect(r.code).toBe(0)
  return (JSON.parse(r.stdout) as { secrets: Array<{ name: string }> }).secrets.map((s) => s.name)
}

const headOf = async (env: Record<string, string>) => (await runCli(['audit', 'head'], { env })).stdout.trim()

describe('secrets backup', () => {
  test('writes a copy with mode 0600 whatever the umask, and prints its audit head', async () => {
    const { env } = await storeWithA()
    const out = join(tmp.dir, `b-${++n}.db`)
    const old = process.umask(0o022)
    let r
    try {
      r = await runCli(['backup', out], { env })
    } finally {
      process.umask(old)
    }
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(r.stdout).toContain(`audit head: ${await headOf(env)}\n`)
    expect(existsSync(`${out}-wal`)).toBe(false)
  })

  test('never writes over an existing file (exit 1, the file unchanged)', async () => {
    const { env } = await storeWithA()
    const out = join(tmp.dir, `b-${++n}.db`)
    writeFileSync(out, 'keep me', { mode: 0o600 })
    const r = await runCli(['backup', out], { env })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${out} exists: a backup never overwrites a file`)
    expect(readFileSync(out, 'utf8')).toBe('keep me')
  })

  test('refuses when there is no database to copy, and creates none', async () => {
    const path = join(tmp.dir, `none-${++n}.db`)
    const out = join(tmp.dir, `b-${++n}.db`)
    const r = await runCli(['backup', out], { env: { DATABASE_URL: `file:${path}` } })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`there is no database at ${path}`)
    expect(existsSync(path)).toBe(false)
    expect(existsSync(out)).toBe(false)
  })

  test('is consistent while another process keeps writing (the copy restores and verifies)', async () => {
    const { env } = await storeWithA()
    expect((await runCli(['set', 'SHARED'], { env, stdin: 'shared' })).code).toBe(0)
    const writer = Bun.spawn([process.execPath, join(ROOT, 'test/fixtures/audit-writer.ts'), '1', '400'], {
      env: { ...env, PATH: process.env.PATH! },
      stdout: 'ignore',
      stderr: 'pipe',
    })
    const outs: string[] = []
    try {
      for (let i = 0; i < 3; i++) {
        const out = join(tmp.dir, `b-${++n}.db`)
        expect((await runCli(['backup', out], { env })).code).toBe(0)
        outs.push(out)
      }
    } finally {
      expect(await writer.exited).toBe(0)
    }
    for (const out of outs) {
      const target = join(tmp.dir, `r-${++n}`, 'secrets.db')
      const r = await runCli(['restore', out], { env: { ...env, DATABASE_URL: `file:${target}` } })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect((await runCli(['audit', 'verify'], { env: { ...env, DATABASE_URL: `file:${target}` } })).code).toBe(0)
    }
  })
})

describe('secrets restore', () => {
  test('a -wal left by a killed server is not replayed over the restored database', async () => {
    const { env, path } = await storeWithA()
    const backup = join(tmp.dir, `b-${++n}.db`)
    expect((await runCli(['backup', backup], { env })).code).toBe(0)
    const exported = join(tmp.dir, `head-${++n}.txt`)
    writeFileSync(exported, `${await headOf(env)}\n`)
    // A server that wrote B and was killed: B sits in the -wal only.
    const server = Bun.spawn([process.execPath, join(ROOT, 'test/fixtures/write-then-hang.ts'), 'B', 'value-b'], {
      env: { ...env, PATH: process.env.PATH! },
      stdout: 'pipe',
      stderr: 'inherit',
    })
    const reader = server.stdout.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('written\n')
    server.kill('SIGKILL')
    await server.exited
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0)

    const r = await runCli(['restore', backup], { env })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`audit head: ${readFileSync(exported, 'utf8').trim()} (`)
    expect(await names(env)).toEqual(['A'])
    const verify = await runCli(['audit', 'verify', '--head', exported], { env })
    expect(verify.stdout).toStartWith('ok: ')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    // The replaced database is kept aside, with B in it.
    const kept = /kept at (\S+):/.exec(r.stdout)![1]!
    expect(await names({ ...env, DATABASE_URL: `file:${kept}` })).toEqual(['A', 'B'])
  })

  test('refuses while a server has the store open; nothing changes', async () => {
    const { env } = await storeWithA()
    const backup = join(tmp.dir, `b-${++n}.db`)
    expect((await runCli(['backup', backup], { env })).code).toBe(0)
    expect((await runCli(['set', 'B'], { env, stdin: 'value-b' })).code).toBe(0)
    const server = await startServe([join(ROOT, 'bin', 'secrets'), 'serve', '--port', '0'], env)
    try {
      const r = await runBin(['restore', backup], { env })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('is in use by another process (a running server?): stop it, then restore')
    } finally {
      expect(await server.stop()).toBe(0)
    }
    expect(await names(env)).toEqual(['A', 'B'])
  })

  test('refuses a backup that fails the integrity check; nothing changes', async () => {
    const { env } = await storeWithA()
    const backup = join(tmp.dir, `b-${++n}.db`)
    expect((await runCli(['backup', backup], { env })).code).toBe(0)
    const bytes = readFileSync(backup)
    for (let i = 4096; i < bytes.length; i += 7) bytes[i] = bytes[i]! ^ 0x5a
    writeFileSync(backup, bytes)
    const r = await runCli(['restore', backup], { env })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/fails SQLite's integrity check|is not a SQLite database/)
    expect(await names(env)).toEqual(['A'])
  })

  test('refuses a file that is not a database', async () => {
    const { env } = await storeWithA()
    const backup = join(tmp.dir, `b-${++n}.db`)
    writeFileSync(backup, 'x'.repeat(5000))
    const r = await runCli(['restore', backup], { env })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${backup} is not a SQLite database`)
  })

  // A backup edited after it was made: refused (exit 1) with what is wrong, and the store keeps what it had.
  const tampered = [
    {
      name: 'refuses a backup whose audit chain was edited, naming the row',
      edit: "UPDATE secret_access_log SET reason = 'edited' WHERE id = (SELECT min(id) FROM secret_access_log)",
      says: 'its audit chain is broken: row ',
    },
    {
      name: 'refuses a backup with a newer schema, naming the migrations this build lacks',
      edit: "INSERT INTO kysely_migration (name, timestamp) VALUES ('0099_from_the_future', '2030-01-01T00:00:00.000Z')",
      says: 'has a newer schema than this build knows (migrations 0099_from_the_future)',
    },
  ]
  for (const { name, edit, says } of tampered) {
    test(name, async () => {
      const { env } = await storeWithA()
      const backup = join(tmp.dir, `b-${++n}.db`)
      expect((await runCli(['backup', backup], { env })).code).toBe(0)
      const db = new Database(backup)
      db.exec(edit)
      db.close()
      const r = await runCli(['restore', backup], { env })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(says)
      expect(await names(env)).toEqual(['A'])
    })
  }

  test('refuses a backup under another master key (exit 78), naming the key id', async () => {
    const { env } = await storeWithA()
    const backup = join(tmp.dir, `b-${++n}.db`)
    expect((await runCli(['backup', backup], { env })).code).toBe(0)
    const r = await runCli(['restore', backup], { env: { ...env, CLAUDE_HOOKS_SECRET_KEY: randomKey() } })
    expect(r.code).toBe(78)
    expect(r.stderr).toContain('key ids no configured master key has')
    expect(await names(env)).toEqual(['A'])
  })
})

describe.skipIf(!POSTGRES_URL)('backup and restore on PostgreSQL', () => {
  test('say to use pg_dump and pg_restore, and write nothing', async () => {
    const db = await freshDatabase('postgres')
    try {
      const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
      const out = join(tmp.dir, `pg-${++n}.db`)
      const b = await runCli(['backup', out], { env })
      expect(b.code).toBe(78)
      expect(b.stderr).toContain('use pg_dump --format=custom')
      expect(existsSync(out)).toBe(false)
      const r = await runCli(['restore', out], { env })
      expect(r.code).toBe(78)
      expect(r.stderr).toContain('use pg_restore')
      expect(r.stderr).not.toContain(new URL(db.url).password || 'no-password-in-url')
    } finally {
      await db.drop()
    }
  })
})

for (const runtime of runtimes('secrets backup and restore')) {
  describe.skipIf(!runtime.runs)(`backup and restore on ${runtime.name} (its own SQLite driver)`, () => {
    test('a backup taken while a server runs restores once it stopped; while it runs, restore refuses', async () => {
      const path = join(tmp.dir, `rt-${++n}`, 'secrets.db')
      const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${path}` }
      expect((await runProcess([...runtime.cmd, 'set', 'A'], env, 'a')).code).toBe(0)
      const server = await startServe([...runtime.cmd, 'serve', '--port', '0'], env)
      const backup = join(tmp.dir, `rt-${++n}.db`)
      try {
        const b = await runProcess([...runtime.cmd, 'backup', backup], env)
        expect(b.stderr).toBe('')
        expect(b.code).toBe(0)
        expect(statSync(backup).mode & 0o777).toBe(0o600)
        expect((await runProcess([...runtime.cmd, 'set', 'B'], env, 'b')).code).toBe(0)
        const refused = await runProcess([...runtime.cmd, 'restore', backup], env)
        expect(refused.code).toBe(1)
        expect(refused.stderr).toContain('is in use by another process')
      } finally {
        expect(await server.stop()).toBe(0)
      }
      const r = await runProcess([...runtime.cmd, 'restore', backup], env)
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(await names(env)).toEqual(['A'])
    })
  })
}
