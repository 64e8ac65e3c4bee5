/**
 * The audit log's one hot insert, compiled once: a batch of reads (group
 * commit, up to 1,000 rows a statement) built by Kysely's insert builder
 * cost about a tenth of a `POST /render` in building, freezing and compiling
 * the query tree. Here the statement text is made once per dialect and row
 * count, and the values are bound in a fixed column order (an absent
 * optional column is bound as null, which is the column's default: every
 * optional column of `secret_access_log` is nullable without a default).
 */
import { dialectOf, type Queryable, runSql } from '../store/raw-query.ts'
import type { NewAccessLogRow } from '../store/schema.ts'

/**
 * Every column an audit row is inserted with, in bind order. The type check
 * below fails when `secret_access_log` gains a column that is not listed,
 * so a new column cannot be dropped silently.
 */
export const ACCESS_LOG_COLUMNS = [
  'id',
  'secret_name',
  'action',
  'accessor',
  'label',
  'token_id',
  'client_address',
  'reason',
  'outcome',
  'version',
  'ciphertext_sha256',
  'at',
  'chain',
  'chain_key_id',
] as const satisfies ReadonlyArray<keyof NewAccessLogRow>

type Listed = (typeof ACCESS_LOG_COLUMNS)[number]
// Compile-time check: every column of the table is listed (`never` when so).
const everyColumnListed: Exclude<keyof NewAccessLogRow, Listed> extends never ? true : false = true
void everyColumnListed

const texts = new Map<string, string>()

/** `INSERT INTO secret_access_log (...) VALUES (...), ...` for `n` rows, cached per dialect and n. */
function insertText(dialect: 'sqlite' | 'postgres', n: number): string {
  const cacheKey = `${dialect}:${n}`
  let text = texts.get(cacheKey)
  if (text === undefined) {
    const width = ACCESS_LOG_COLUMNS.length
    const tuples: string[] = []
    for (let r = 0; r < n; r++) {
      const slots: string[] = []
      for (let c = 0; c < width; c++) slots.push(dialect === 'postgres' ? `$${r * width + c + 1}` : '?')
      tuples.push(`(${slots.join(', ')})`)
    }
    text = `insert into "secret_access_log" (${ACCESS_LOG_COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`
    if (texts.size > 64) texts.clear()
    texts.set(cacheKey, text)
  }
  return text
}

/** Inserts `rows` (at most 1,000: SQLite binds at most 32,766 parameters) in one statement, in `db` (a transaction). */
export async function insertAccessLogRows(db: Queryable, rows: readonly NewAccessLogRow[]): Promise<void> {
  if (rows.length === 0) return
  const params: unknown[] = []
  for (const row of rows) {
    for (const column of ACCESS_LOG_COLUMNS) params.push(row[column] ?? null)
  }
  // runSql: not `CompiledQuery.raw(text, params)`, which freezes the parameter
  // array: for thousands of values that cost more than the insert itself (Bun 1.4).
  await runSql(db, insertText(dialectOf(db), rows.length), params)
}
