import type { OperatorDb, OperatorRow } from './operator.table.ts'

/** One operator row (password hash included), or undefined. */
export async function findOperator(db: OperatorDb, username: string): Promise<OperatorRow | undefined> {
  return db.selectFrom('operator').selectAll().where('username', '=', username).executeTakeFirst()
}

/** Every operator without the password hash, sorted by username. */
export async function listOperators(db: OperatorDb): Promise<Array<Omit<OperatorRow, 'password_hash'>>> {
  return db.selectFrom('operator').select(['username', 'created_at', 'last_login_at']).orderBy('username').execute()
}

/** Inserts an operator. Throws the driver's unique-constraint error if the username exists. */
export async function insertOperator(db: OperatorDb, row: OperatorRow): Promise<void> {
  await db.insertInto('operator').values(row).execute()
}

/** Deletes an operator; returns how many rows went (0 or 1). */
export async function deleteOperator(db: OperatorDb, username: string): Promise<number> {
  const result = await db.deleteFrom('operator').where('username', '=', username).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** Records a successful login. */
export async function setLastLogin(db: OperatorDb, username: string, at: string): Promise<void> {
  await db.updateTable('operator').set({ last_login_at: at }).where('username', '=', username).execute()
}

/** Replaces an operator's password hash; returns how many rows changed (0 or 1). */
export async function setPasswordHash(db: OperatorDb, username: string, passwordHash: string): Promise<number> {
  const result = await db.updateTable('operator').set({ password_hash: passwordHash }).where('username', '=', username).executeTakeFirst()
  return Number(result.numUpdatedRows)
}
