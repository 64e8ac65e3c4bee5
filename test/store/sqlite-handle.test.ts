import { describe, expect, test } from 'bun:test'
import { chmodSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { openConfiguredSqlite } from '../../src/store/sqlite-handle.ts'
import { tempDir } from '../helpers/context.ts'

/**
 * openConfiguredSqlite: the store's file is created owner-only, and opening
 * it never costs another connection of this process its locks (closing any
 * descriptor of a file releases every POSIX lock the process holds on it).
 */
describe('openConfiguredSqlite', () => {
  /**
   * What another process gets when it takes the store in exclusive locking mode (a read then locks the file
   * against every other process): 'ok', or the error while a connection of this process holds it.
   */
  function takeElsewhere(path: string): string {
    const script = `const { Database } = require('bun:sqlite'); const db = new Database(${JSON.stringify(path)}); try { db.exec('PRAGMA locking_mode = EXCLUSIVE'); db.query('SELECT count(*) FROM t').all(); console.log('ok') } catch (e) { console.log(String(e.message)) } finally { db.close() }`
    const child = Bun.spawnSync([process.execPath, '-e', script], { stderr: 'inherit' })
    expect(child.exitCode).toBe(0)
    return child.stdout.toString().trim()
  }

  test('a second connection opened in one process leaves the first holding the store: another process cannot take it', async () => {
    // Closing any descriptor of a file releases every POSIX lock this process holds on it: a descriptor of the
    // database opened and closed around the second open took the first connection's shared lock away, and
    // another process could then take the store in exclusive locking mode, and read and write its WAL without the
    // shared-memory index, under the live connections.
    const tmp = tempDir()
    const path = join(tmp.dir, 'twice.db')
    const first = await openConfiguredSqlite(path)
    try {
      first.exec('CREATE TABLE t (x)')
      expect(takeElsewhere(path)).toMatch(/locked/)
      const second = await openConfiguredSqlite(path)
      try {
        expect(takeElsewhere(path)).toMatch(/locked/)
      } finally {
        second.close()
      }
      expect(takeElsewhere(path)).toMatch(/locked/)
    } finally {
      first.close()
      tmp.cleanup()
    }
  })

  test('a new file is created 0600, and an existing one is tightened to 0600', async () => {
    const tmp = tempDir()
    try {
      const fresh = join(tmp.dir, 'sub', 'fresh.db')
      ;(await openConfiguredSqlite(fresh)).close()
      expect(statSync(fresh).mode & 0o777).toBe(0o600)
      const loose = join(tmp.dir, 'loose.db')
      await Bun.write(loose, '')
      chmodSync(loose, 0o644)
      ;(await openConfiguredSqlite(loose)).close()
      expect(statSync(loose).mode & 0o777).toBe(0o600)
    } finally {
      tmp.cleanup()
    }
  })
  test('a directory where the file should be: refused (EISDIR, the path named), its mode left as it was', async () => {
    const tmp = tempDir()
    try {
      const dir = join(tmp.dir, 'a-directory')
      mkdirSync(dir, { mode: 0o755 })
      const err = await openConfiguredSqlite(dir).then(() => null, (e: unknown) => e as NodeJS.ErrnoException)
      expect(err?.code).toBe('EISDIR')
      expect(err?.message).toContain(dir)
      expect(statSync(dir).mode & 0o777).toBe(0o755)
    } finally {
      tmp.cleanup()
    }
  })
})
