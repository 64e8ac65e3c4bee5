import type { OperatorDb, OperatorSessionRow } from './operator.table.ts'

/** Inserts a session row. */
export async function insertSession(db: OperatorDb, row: OperatorSessionRow): Promise<void> {
  await db.insertInto('operator_session').values(row).execute()
}

/** The session row with this token hash, or undefined. */
export async function findSession(db: OperatorDb, tokenHash: string): Promise<OperatorSessionRow | undefined> {
  return db.selectFrom('operator_session').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst()
}

/** Moves a session's idle clock on. */
export async function touchSession(db: OperatorDb, tokenHash: string, at: string): Promise<void> {
  await db.updateTable('operator_session').set({ last_seen_at: at }).where('token_hash', '=', tokenHash).execute()
}

/** Deletes one session; returns how many rows went (0 or 1). */
export async function deleteSession(db: OperatorDb, tokenHash: string): Promise<number> {
  const result = await db.deleteFrom('operator_session').where('token_hash', '=', tokenHash).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** Deletes every session of one operator; returns how many went. */
export async function deleteSessionsOf(db: OperatorDb, username: string): Promise<number> {
  const result = await db.deleteFrom('operator_session').where('username', '=', username).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * Deletes sessions created at or before `createdBefore` or last seen at or
 * before `seenBefore` (ISO strings compare as times), the same bounds as the
 * expiry check of a single session. Returns how many went.
 */
export async function deleteExpiredSessions(
  db: OperatorDb,
  limits: { createdBefore: string; seenBefore: string },
): Promise<number> {
  const result = await db
    .deleteFrom('operator_session')
    .where((eb) => eb.or([eb('created_at', '<=', limits.createdBefore), eb('last_seen_at', '<=', limits.seenBefore)]))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
