import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { openSecrets } from '../../src/context.ts'
import { MissingSecretError } from '../../src/errors.ts'
import { openSqliteReader } from '../../src/secrets/sqlite-reader.ts'
import { MIGRATION_NAMES } from '../../src/store/schema-state.ts'
import { randomKey } from '../helpers/keys.ts'

const actor = { accessor: 'cli:test', label: 'reader', reason: 'sqlite reader test' }
const decode = (b: Uint8Array) => new TextDecoder().decode(b)

let dir: string
let env: Record<string, string>
let file: string

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chs-sqlite-reader-'))
  file = join(dir, 's.db')
  env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${file}` }
  const ctx = await openSecrets(env)
  try {
    await ctx.service.create({ name: 'ALPHA', value: 'alpha-value' }, { accessor: 'cli:test', reason: 'setup' })
    await ctx.service.create({ name: 'BETA', value: 'beta-value' }, { accessor: 'cli:test', reason: 'setup' })
  } finally {
    await ctx.close()
  }
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Runs `sql` on the store file directly, outside the code under test. */
function edit(sql: string): void {
  const db = new Database(file)
  try {
    db.exec(sql)
  } finally {
    db.close()
  }
}

function auditRows(): Array<{ secret_name: string; action: string; accessor: string; label: string | null; reason: string; outcome: string }> {
  const db = new Database(file, { readonly: true })
  try {
    return db.query("select secret_name, action, accessor, label, reason, outcome from secret_access_log where action = 'read' order by id").all() as never
  } finally {
    db.close()
  }
}

describe('openSqliteReader', () => {
  test('a ready store: every value decrypted, its audit row committed before it is returned, the chain still verifies', async () => {
    const reader = await openSqliteReader(env)
    expect(reader).toBeDefined()
    try {
      const values = await reader!.resolveAll(['BETA', 'ALPHA', 'BETA'], actor)
      expect([...values.keys()].sort()).toEqual(['ALPHA', 'BETA'])
      expect(decode(values.get('ALPHA')!)).toBe('alpha-value')
      // Read from another connection while the reader is still open: committed, one row per distinct name.
      expect(auditRows()).toEqual([
        { secret_name: 'BETA', action: 'read', accessor: 'cli:test', label: 'reader', reason: 'sqlite reader test', outcome: 'ok' },
        { secret_name: 'ALPHA', action: 'read', accessor: 'cli:test', label: 'reader', reason: 'sqlite reader test', outcome: 'ok' },
      ])
    } finally {
      await reader!.close()
    }
    const ctx = await openSecrets(env)
    try {
      expect((await ctx.service.auditLog.verify(ctx.store.db)).ok).toBe(true)
    } finally {
      await ctx.close()
    }
  })

  test('a tampered row appended by the reader is detected by verify', async () => {
    const reader = (await openSqliteReader(env))!
    try {
      await reader.resolveAll(['ALPHA'], actor)
    } finally {
      await reader.close()
    }
    edit("update secret_access_log set reason = 'something else' where action = 'read'")
    const ctx = await openSecrets(env)
    try {
      const result = await ctx.service.auditLog.verify(ctx.store.db)
      expect(result.ok).toBe(false)
    } finally {
      await ctx.close()
    }
  })

  test('a missing name fails before anything is decrypted or audited', async () => {
    const reader = (await openSqliteReader(env))!
    try {
      const error = await reader.resolveAll(['ALPHA', 'NOPE'], actor).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MissingSecretError)
      expect(auditRows()).toEqual([])
    } finally {
      await reader.close()
    }
  })

  test('existing (render --check): which names exist, over more names than one query binds; nothing decrypted or audited', async () => {
    const before = auditRows().length
    const reader = await openSqliteReader(env)
    expect(reader).toBeDefined()
    try {
      const names = ['ALPHA', ...Array.from({ length: 1200 }, (_, i) => `NOPE_${i}`), 'BETA', 'ALPHA']
      expect([...(await reader!.existing(names))].sort()).toEqual(['ALPHA', 'BETA'])
      expect(await reader!.existing([])).toEqual(new Set())
      // A name that is SQL-looking text is a bound value, never part of the query.
      expect(await reader!.existing(["ALPHA' OR '1'='1"])).toEqual(new Set())
    } finally {
      await reader!.close()
    }
    expect(auditRows().length).toBe(before)
  })

  test('concurrent reads on one reader extend one chain (processes: test/cli/render-local.test.ts)', async () => {
    const reader = (await openSqliteReader(env))!
    try {
      await Promise.all(Array.from({ length: 10 }, () => reader.resolveAll(['ALPHA', 'BETA'], actor)))
    } finally {
      await reader.close()
    }
    expect(auditRows().length).toBe(20)
    const ctx = await openSecrets(env)
    try {
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true })
    } finally {
      await ctx.close()
    }
  })

  test('a missing file: undefined, and nothing is created (the usual open creates and announces it)', async () => {
    const missing = join(dir, 'sub', 'none.db')
    expect(await openSqliteReader({ ...env, DATABASE_URL: `file:${missing}` })).toBeUndefined()
    expect(existsSync(dirname(missing))).toBe(false)
  })

  test('PostgreSQL and in-memory URLs: undefined (the usual open)', async () => {
    expect(await openSqliteReader({ ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' })).toBeUndefined()
    expect(await openSqliteReader({ ...env, DATABASE_URL: ':memory:' })).toBeUndefined()
  })

  const notReady: Array<[string, string]> = [
    ['a schema behind this build', `delete from kysely_migration where name = '${MIGRATION_NAMES.at(-1)}'`],
    ['a schema newer than this build', "insert into kysely_migration (name, timestamp) values ('0999_from_the_future', '2030-01-01T00:00:00.000Z')"],
    ['an unsealed audit chain head', 'update audit_chain_head set chain_key = null'],
    ['baseline rows still to write', 'update audit_chain_head set versions_baseline = 0'],
    ['a row under a key id no configured key has', "update secret set key_id = '00000000deadbeef' where name = 'BETA'"],
  ]
  for (const [what, sql] of notReady) {
    test(`${what}: undefined, and the store is left as it was`, async () => {
      edit(sql)
      const before = readFileSync(file)
      expect(await openSqliteReader(env)).toBeUndefined()
      expect(auditRows()).toEqual([])
      expect(readFileSync(file).equals(before)).toBe(true)
    })
  }

  test('a bad SECRET_VERSIONS_KEPT or a missing key is refused before the database is touched', async () => {
    const elsewhere = join(dir, 'other', 'x.db')
    await expect(openSqliteReader({ ...env, DATABASE_URL: `file:${elsewhere}`, SECRET_VERSIONS_KEPT: 'lots' })).rejects.toThrow(/SECRET_VERSIONS_KEPT/)
    await expect(openSqliteReader({ DATABASE_URL: `file:${elsewhere}` })).rejects.toThrow(/CLAUDE_HOOKS_SECRET_KEY is not set/)
    expect(existsSync(resolve(elsewhere, '..'))).toBe(false)
  })
})
