import { afterEach, beforeEach } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Env, openSecrets, type SecretsContext } from '../../src/context.ts'
import { sql } from 'kysely'
import { freshDatabase, type TestDialect } from './databases.ts'
import { randomKey } from './keys.ts'

/** A controllable clock: starts at a fixed instant, `tick` moves it on. */
export function testClock(start = '2026-01-01T00:00:00.000Z') {
  let t = Date.parse(start)
  return {
    now: () => new Date(t),
    tick: (ms = 1000) => {
      t += ms
    },
  }
}

/**
 * A fresh store with a random key (or the env given): in-memory SQLite, or a
 * new PostgreSQL database that `close()` drops.
 */
export async function memoryContext(
  env: Env = {},
  options: { now?: () => Date } = {},
  dialect: TestDialect = 'sqlite',
): Promise<SecretsContext & { env: Env }> {
  const db = await freshDatabase(dialect)
  const full = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url, ...env }
  const ctx = await openSecrets(full, options)
  const closeStore = ctx.close
  return Object.assign(ctx, {
    env: full,
    close: async () => {
      await closeStore()
      await db.drop()
    },
  })
}

/**
 * Makes the audit table refuse every insert, by a trigger: a real failure of
 * the database, not a mock.
 */
export async function makeAuditReadOnly(ctx: SecretsContext): Promise<void> {
  if (ctx.store.dialect === 'postgres') {
    await sql`CREATE FUNCTION audit_read_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit is read-only'; END $$ LANGUAGE plpgsql`.execute(
      ctx.store.db,
    )
    await sql`CREATE TRIGGER audit_read_only BEFORE INSERT ON secret_access_log FOR EACH ROW EXECUTE FUNCTION audit_read_only()`.execute(
      ctx.store.db,
    )
  } else {
    await sql`CREATE TRIGGER audit_read_only BEFORE INSERT ON secret_access_log BEGIN SELECT RAISE(ABORT, 'audit is read-only'); END`.execute(
      ctx.store.db,
    )
  }
}

/** A private temporary directory, removed by the returned function. */
export function tempDir(prefix = 'chs-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * For each test of the enclosing suite: a private temporary directory, a fresh
 * store of `dialect` (a SQLite file `s.db` in it, or a new PostgreSQL database)
 * and the env that opens it with a random key; dropped and removed after the
 * test. Read the fields inside the tests (they are new for each).
 */
export function freshStoreEachTest(dialect: TestDialect): { tmp: { dir: string; cleanup: () => void }; env: Record<string, string> } {
  const state = {} as { tmp: { dir: string; cleanup: () => void }; env: Record<string, string>; db: { url: string; drop: () => Promise<void> } }
  beforeEach(async () => {
    state.tmp = tempDir()
    state.db = await freshDatabase(dialect, `file:${join(state.tmp.dir, 's.db')}`)
    state.env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: state.db.url }
  })
  afterEach(async () => {
    await state.db.drop()
    state.tmp.cleanup()
  })
  return state
}

export const CLI_ACTOR = { accessor: 'cli:test', reason: 'unit test' }

/** Every audit row of the store `env` names, oldest first (the store is opened and closed for it). */
export async function auditRowsOf(env: Record<string, string | undefined>) {
  const ctx = await openSecrets(env)
  try {
    return await ctx.store.db.selectFrom('secret_access_log').selectAll().orderBy('id').execute()
  } finally {
    await ctx.close()
  }
}
