/**
 * Hot read queries as SQL text, bound without Kysely's builder: building,
 * freezing and compiling a query tree cost about 15-25 us of CPU each on
 * Bun, and `POST /render` runs three of them per request (the token, its
 * grants, the secrets). The text is written with `?` placeholders and
 * numbered (`$1`) for PostgreSQL once per text; it goes through the same
 * Kysely connection (and transaction) as every other query.
 */
import { CompiledQuery, type Kysely } from 'kysely'
import { dialectOf } from './dialect.ts'

const numbered = new Map<string, string>()

function forDialect(db: Kysely<any>, text: string): string {
  if (dialectOf(db) !== 'postgres') return text
  let out = numbered.get(text)
  if (out === undefined) {
    let n = 0
    out = text.replace(/\?/g, () => `$${++n}`)
    if (numbered.size > 256) numbered.clear()
    numbered.set(text, out)
  }
  return out
}

/** `?, ?, ?` for a list of `n` values. */
export function placeholders(n: number): string {
  return n === 1 ? '?' : Array.from({ length: n }, () => '?').join(', ')
}

/** Runs `text` (with `?` placeholders, identifiers quoted) with `params`; its rows. */
export async function rawRows<R>(db: Kysely<any>, text: string, params: readonly unknown[]): Promise<R[]> {
  // Not CompiledQuery.raw(text, params): that freezes the parameters.
  const query: CompiledQuery = { ...CompiledQuery.raw(forDialect(db, text)), parameters: params }
  return (await db.executeQuery<R>(query)).rows
}
