import { describe, expect, test } from 'bun:test'
import { sql } from 'kysely'
import { join } from 'node:path'
import { ConfigError } from '../../src/errors.ts'
import { openStore, parseDatabaseUrl } from '../../src/store/database.ts'
import { MIGRATIONS, migrator } from '../../src/store/migrations.ts'
import { tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { caught } from '../helpers/caught.ts'

describe('parseDatabaseUrl', () => {
  const cases: Array<[string | undefined, ReturnType<typeof parseDatabaseUrl>]> = [
    [undefined, { kind: 'sqlite', path: './data/secrets.db' }],
    ['file:./data/secrets.db', { kind: 'sqlite', path: './data/secrets.db' }],
    ['file:/var/lib/secrets/s.db', { kind: 'sqlite', path: '/var/lib/secrets/s.db' }],
    ['file:///var/lib/secrets/s%20x.db', { kind: 'sqlite', path: '/var/lib/secrets/s x.db' }],
    [':memory:', { kind: 'sqlite', path: ':memory:' }],
    ['file::memory:', { kind: 'sqlite', path: ':memory:' }],
    ['postgres://u@127.0.0.1/db', { kind: 'postgres', url: 'postgres://u@127.0.0.1/db' }],
    ['postgresql://u@127.0.0.1/db', { kind: 'postgres', url: 'postgresql://u@127.0.0.1/db' }],
    ['relative.db', { kind: 'sqlite', path: 'relative.db' }],
  ]
  for (const [url, expected] of cases) {
    test(`${url ?? '(default)'}`, () => expect(parseDatabaseUrl(url)).toEqual(expected))
  }
  test('refuses another scheme with a ConfigError naming DATABASE_URL', () => {
    expect(() => parseDatabaseUrl('mysql://u@h/db')).toThrow(ConfigError)
    expect(() => parseDatabaseUrl('mysql://u:pw@h/db')).toThrow(/^DATABASE_URL must start with/)
  })
  test('refuses a file:// URL that does not parse with a ConfigError naming DATABASE_URL, not the URL', () => {
    for (const url of ['file:///var/lib/%zz.db', 'file://[bad/s.db']) {
      const error = caught(() => parseDatabaseUrl(url))
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as Error).message).toMatch(/^DATABASE_URL does not parse as a file:\/\/ URL/)
      expect((error as Error).message).not.toContain(url)
    }
  })
  test('the error does not repeat the URL (it may hold a password)', () => {
    const error = caught(() => parseDatabaseUrl('mysql://user:hunter2@h/db'))
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).not.toContain('hunter2')
  })
})

describe('openStore (SQLite)', () => {
  test('turns on WAL, a busy timeout, foreign keys, synchronous=FULL and temporary files in memory', async () => {
    const tmp = tempDir()
    const store = await openStore(`file:${join(tmp.dir, 's.db')}`)
    try {
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`PRAGMA ${name}`).execute(store.db)).rows[0] as object)[0]
      expect(await pragma('journal_mode')).toBe('wal')
      expect(await pragma('busy_timeout')).toBe(5000)
      expect(await pragma('foreign_keys')).toBe(1)
      expect(await pragma('synchronous')).toBe(2)
      // temp_store=MEMORY: a big INSERT's statement journal does not spill to a file in /var/tmp.
      expect(await pragma('temp_store')).toBe(2)
    } finally {
      await store.close()
      tmp.cleanup()
    }
  })

  test('the access log has an index for the newest rows of one secret', async () => {
    const store = await openStore(':memory:')
    try {
      const plan = await sql
        .raw("EXPLAIN QUERY PLAN SELECT * FROM secret_access_log WHERE secret_name = 'A' AND id < 10 ORDER BY id DESC LIMIT 50")
        .execute(store.db)
      expect(JSON.stringify(plan.rows)).toContain('secret_access_log_name_id_idx')
    } finally {
      await store.close()
    }
  })
})

describeEachDialect('migrations', (dialect) => {
  test('migrates to the latest schema, and every migration goes down and up again', async () => {
    const db = await freshDatabase(dialect)
    const store = await openStore(db.url)
    try {
      const m = migrator(store.db)
      const applied = (await m.getMigrations()).filter((x) => x.executedAt).map((x) => x.name)
      expect(applied).toEqual(Object.keys(MIGRATIONS))
      for (let i = 0; i < applied.length; i++) expect((await m.migrateDown()).error).toBeUndefined()
      const tables = await store.db.introspection.getTables()
      expect(tables.map((t) => t.name).filter((n) => !n.startsWith('kysely_'))).toEqual([])
      expect((await m.migrateToLatest()).error).toBeUndefined()
      const names = (await store.db.introspection.getTables()).map((t) => t.name).sort()
      expect(names).toContain('secret')
      expect(names).toContain('secret_access_log')
    } finally {
      await store.close()
      await db.drop()
    }
  })
})
