import { type Kysely, sql } from 'kysely'
import type { DialectName } from '../../src/store/dialect.ts'

/** Every row of every table, by table name, in a stable order. */
export type Snapshot = Record<string, unknown[]>

/**
 * Reads every table the database has (the catalogue, not a list kept here,
 * so a table added by a later migration is covered too), every row, ordered
 * by every column: two snapshots are equal exactly when nothing changed.
 */
export async function everyTable(db: Kysely<any>, dialect: DialectName): Promise<Snapshot> {
  const tables =
    dialect === 'postgres'
      ? (await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`.execute(db)).rows
      : (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`.execute(db)).rows
  const out: Snapshot = {}
  for (const { name } of tables) {
    const rows = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)}`.execute(db)).rows
    out[name] = rows
      .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v])))
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0))
  }
  return out
}
