import { Database } from 'bun:sqlite'
import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { walIndexProbe } from '../../src/store/database-generation.ts'
import { openStore, type Store } from '../../src/store/database.ts'
import { tempDir } from '../helpers/context.ts'
import { runBin } from '../helpers/cli.ts'

/**
 * walIndexProbe: the SQLite change signal read from the WAL-index header.
 * It must move whenever anything commits (another connection, another
 * process, this one), stay put otherwise, and fall back to the pragma
 * wherever the header cannot tell.
 */
describe('walIndexProbe', () => {
  let tmp: ReturnType<typeof tempDir>
  let store: Store
  let path: string
  let other: Database

  beforeEach(async () => {
    tmp = tempDir()
    path = join(tmp.dir, 's.db')
    store = await openStore(`file:${path}`)
    other = new Database(path)
    other.exec('PRAGMA busy_timeout = 10000')
    other.exec('CREATE TABLE t (x)')
  })
  afterEach(async () => {
    other.close()
    await store.close()
    tmp.cleanup()
  })

  test('reads the WAL-index (values prefixed w): unchanged without a commit, new after each commit of another connection', () => {
    const probe = walIndexProbe(path, store.dataVersion!)
    const a = probe()
    expect(String(a)).toStartWith('w')
    expect(probe()).toBe(a)
    other.exec('INSERT INTO t VALUES (1)')
    const b = probe()
    expect(b).not.toBe(a)
    expect(probe()).toBe(b)
    other.exec('INSERT INTO t VALUES (2)')
    expect(probe()).not.toBe(b)
  })

  test('moves on a commit of another process (bin/secrets set)', async () => {
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')
    const probe = walIndexProbe(path, store.dataVersion!)
    const a = probe()
    const set = await runBin(['set', 'FROM_CHILD'], { env: { DATABASE_URL: `file:${path}`, CLAUDE_HOOKS_SECRET_KEY: key }, stdin: 'v' })
    expect(set.code).toBe(0)
    expect(probe()).not.toBe(a)
  })

  test('a read-only statement of another connection does not move it', () => {
    const probe = walIndexProbe(path, store.dataVersion!)
    const a = probe()
    other.query('SELECT count(*) FROM t').all()
    expect(probe()).toBe(a)
  })

  test('taking a probe, and dropping it, leaves the store held: another process still finds it in use', async () => {
    // Closing any descriptor of a file releases every POSIX lock this process holds on it, SQLite's included: a
    // probe that closed one would let another process take the database for unused (restore, the last
    // connection's checkpoint deleting the -wal and -shm under the server).
    // One dropped at once (its garbage collection must not close anything SQLite locks), one kept.
    expect(String(walIndexProbe(path, store.dataVersion!)())).toStartWith('w')
    const probe = walIndexProbe(path, store.dataVersion!)
    expect(String(probe())).toStartWith('w')
    Bun.gc(true)
    await Bun.sleep(0)
    Bun.gc(true)
    const child = Bun.spawn([process.execPath, '-e', `const { sqliteInUse } = await import(${JSON.stringify(join(import.meta.dir, '../../src/store/sqlite-files.ts'))}); console.log(await sqliteInUse(${JSON.stringify(path)}))`], { stdout: 'pipe', stderr: 'inherit' })
    expect((await new Response(child.stdout).text()).trim()).toBe('true')
    expect(await child.exited).toBe(0)
    expect(probe()).toBe(probe())
  })

  test('an in-memory store: the pragma (values prefixed p)', () => {
    expect(String(walIndexProbe(':memory:', () => 7)())).toBe('p7')
  })

  test('no -shm file: the pragma', () => {
    expect(String(walIndexProbe(join(tmp.dir, 'none.db'), () => 3)())).toBe('p3')
  })

  test('leaving WAL mode is refused while the store is open, so the WAL-index stays the signal', () => {
    expect(() => other.exec('PRAGMA journal_mode = DELETE')).toThrow(/locked/)
  })

  test('a database in rollback-journal mode, even beside a stray -shm file: the pragma', () => {
    const rollback = join(tmp.dir, 'rollback.db')
    const db = new Database(rollback)
    db.exec('CREATE TABLE t (x)')
    const shm = Buffer.alloc(96)
    shm.writeUInt32LE(3007000, 0)
    writeFileSync(`${rollback}-shm`, shm)
    expect(String(walIndexProbe(rollback, () => 5)())).toBe('p5')
    db.close()
  })
})
