import { dialectOf } from '../store/dialect.ts'
import { rawRows } from '../store/raw-query.ts'
import type { ClientDb, ClientRow, ClientTokenRow } from './client.table.ts'

/** Inserts a client row. */
export async function insertClient(db: ClientDb, row: ClientRow): Promise<void> {
  await db.insertInto('client').values(row).execute()
}

/** One client row, or undefined. */
export async function findClient(db: ClientDb, name: string): Promise<ClientRow | undefined> {
  return db.selectFrom('client').selectAll().where('name', '=', name).executeTakeFirst()
}

/**
 * The client row, locked until the transaction ends, or undefined. On
 * PostgreSQL a `FOR UPDATE` row lock, so a concurrent removal waits (or
 * went first); on SQLite the transaction's BEGIN IMMEDIATE holds the write
 * lock already.
 */
export async function lockClient(db: ClientDb, name: string): Promise<ClientRow | undefined> {
  const q = db.selectFrom('client').selectAll().where('name', '=', name)
  return (dialectOf(db) === 'postgres' ? q.forUpdate() : q).executeTakeFirst()
}

/** Every client row, by name. */
export async function listClients(db: ClientDb): Promise<ClientRow[]> {
  return db.selectFrom('client').selectAll().orderBy('name').execute()
}

/** Sets a client's description and updated_at; returns how many rows changed (0 or 1). */
export async function updateClient(db: ClientDb, name: string, set: { description?: string; updated_at: string }): Promise<number> {
  const result = await db.updateTable('client').set(set).where('name', '=', name).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Deletes a client with its grants and tokens; returns how many client rows went (0 or 1). */
export async function deleteClient(db: ClientDb, name: string): Promise<number> {
  await db.deleteFrom('client_token').where('client_name', '=', name).execute()
  await db.deleteFrom('client_grant').where('client_name', '=', name).execute()
  const result = await db.deleteFrom('client').where('name', '=', name).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** Replaces a client's grant patterns. */
export async function replaceGrants(db: ClientDb, name: string, patterns: readonly string[]): Promise<void> {
  await db.deleteFrom('client_grant').where('client_name', '=', name).execute()
  if (patterns.length > 0) {
    await db.insertInto('client_grant').values(patterns.map((pattern) => ({ client_name: name, pattern }))).execute()
  }
}

/** Grant patterns of some clients (all when `names` is undefined), by client. */
export async function grantsOf(db: ClientDb, names?: readonly string[]): Promise<Map<string, string[]>> {
  let q = db.selectFrom('client_grant').select(['client_name', 'pattern']).orderBy('client_name').orderBy('pattern')
  if (names) {
    if (names.length === 0) return new Map()
    q = q.where('client_name', 'in', [...names])
  }
  const out = new Map<string, string[]>()
  for (const row of await q.execute()) {
    const list = out.get(row.client_name) ?? []
    list.push(row.pattern)
    out.set(row.client_name, list)
  }
  return out
}

/** The grant patterns of one client, sorted (every delivery's query: as text, raw-query.ts). */
export async function grantsOfClient(db: ClientDb, name: string): Promise<string[]> {
  const rows = await rawRows<{ pattern: string }>(db, 'select "pattern" from "client_grant" where "client_name" = ? order by "pattern"', [name])
  return rows.map((r) => r.pattern)
}

/** Inserts a token row. */
export async function insertToken(db: ClientDb, row: ClientTokenRow): Promise<void> {
  await db.insertInto('client_token').values(row).execute()
}

/** The token row with this id, or undefined. */
export async function findToken(db: ClientDb, id: string): Promise<ClientTokenRow | undefined> {
  // Every delivery's query: as text (raw-query.ts); the same as selectFrom('client_token').selectAll().where('id', '=', id).
  return (await rawRows<ClientTokenRow>(db, 'select * from "client_token" where "id" = ?', [id]))[0]
}

/** Token rows of some clients (all when `names` is undefined), oldest first. */
export async function tokensOf(db: ClientDb, names?: readonly string[]): Promise<ClientTokenRow[]> {
  let q = db.selectFrom('client_token').selectAll().orderBy('client_name').orderBy('created_at').orderBy('id')
  if (names) {
    if (names.length === 0) return []
    q = q.where('client_name', 'in', [...names])
  }
  return q.execute()
}

/**
 * Revokes a client's live tokens (one by id, or all): sets `revoked_at`
 * where it is still null. Returns how many rows changed.
 */
export async function revokeTokens(db: ClientDb, client: string, at: string, id?: string): Promise<number> {
  let q = db.updateTable('client_token').set({ revoked_at: at }).where('client_name', '=', client).where('revoked_at', 'is', null)
  if (id !== undefined) q = q.where('id', '=', id)
  const result = await q.executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Records a token's last use. */
export async function touchToken(db: ClientDb, id: string, at: string): Promise<void> {
  await db.updateTable('client_token').set({ last_used_at: at }).where('id', '=', id).execute()
}
