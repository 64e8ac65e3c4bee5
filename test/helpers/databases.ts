import { describe } from 'bun:test'

/**
 * The database matrix, like Kysely's own suite: each suite that touches the
 * store runs once per dialect. PostgreSQL runs when `TEST_POSTGRES_URL`
 * names a server (npm test starts a throwaway cluster and sets it); without
 * one its suites are reported as skipped, never silently dropped.
 */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL
export const DIALECTS = ['sqlite', 'postgres'] as const
export type TestDialect = (typeof DIALECTS)[number]

/** `describe` once per dialect, the PostgreSQL one skipped when no server is configured. */
export function describeEachDialect(label: string, fn: (dialect: TestDialect) => void): void {
  for (const dialect of DIALECTS) {
    describe.skipIf(dialect === 'postgres' && !POSTGRES_URL)(`${label} [${dialect}]`, () => fn(dialect))
  }
}

let admin: Promise<import('pg').Client> | undefined

async function adminClient(): Promise<import('pg').Client> {
  admin ??= (async () => {
    const pg = (await import('pg')).default
    const client = new pg.Client({ connectionString: POSTGRES_URL })
    await client.connect()
    return client
  })()
  return admin
}

/** A fresh, empty database of the dialect: its DATABASE_URL and how to drop it. */
export async function freshDatabase(dialect: TestDialect, sqliteUrl = ':memory:'): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') return { url: sqliteUrl, drop: async () => {} }
  if (!POSTGRES_URL) throw new Error('TEST_POSTGRES_URL is not set')
  const name = `chs_t_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`
  const client = await adminClient()
  await client.query(`CREATE DATABASE ${name}`)
  const url = new URL(POSTGRES_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    },
  }
}

/**
 * How many tables the database holds (0: nothing created or migrated it).
 * SQLite: a file that does not exist counts as 0 and is not created.
 */
export async function tableCount(dialect: TestDialect, url: string): Promise<number> {
  if (dialect === 'sqlite') {
    const file = url.replace(/^file:/, '')
    const { existsSync } = await import('node:fs')
    if (!existsSync(file)) return 0
    const { Database } = await import('bun:sqlite')
    const db = new Database(file, { readonly: true })
    try {
      return (db.query("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n
    } finally {
      db.close()
    }
  }
  const pg = (await import('pg')).default
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")
    return rows[0].n as number
  } finally {
    await client.end()
  }
}
