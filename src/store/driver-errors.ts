/**
 * Whether a driver error is a unique-constraint violation: SQLite (bun:sqlite,
 * better-sqlite3) reports `SQLITE_CONSTRAINT_PRIMARYKEY` / `_UNIQUE`,
 * PostgreSQL SQLSTATE 23505.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const code = (error as { code?: unknown }).code
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}
