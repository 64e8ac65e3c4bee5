import type { Kysely } from 'kysely'
import type { AccessLogRow, Database } from '../store/schema.ts'
import { chainEquals, type ChainFields, chainLink, GENESIS_CHAIN, headMac } from './chain.ts'
import { type ChainKeyResolver, loadChainKeys } from './chain-key-store.ts'
import { type ChainKeyRecord, parseChainKeyRecord } from './chain-keys.ts'

/** A head exported earlier by `secrets audit head`. */
export interface ExportedHead {
  last_id: number
  chain: string
}

/** What is wrong with a row or the head. */
export type VerifyProblem =
  /** A field or chain value was edited, or the row was forged. */
  | 'changed'
  /** Ids are missing: a row deleted in the middle, or at the end while the head remembers it. */
  | 'missing'
  /** The row holds the entry written at another place. */
  | 'reordered'
  /** No configured master key opens the row's chain key: it is neither verified nor refuted. */
  | 'unverifiable'
  /** Rows with ids the chain never gives (0 or below, past the head). */
  | 'outside'
  /** Two rows with one id. */
  | 'duplicate'
  /** The table holds another number of rows than the chain accounts for. */
  | 'count'
  /** A row chained under an older chain key than the row before it (keys only move forward). */
  | 'older-key'
  /** The head is not authenticated, or its MAC does not match (rewritten). */
  | 'head'
  /** The chain does not contain the exported head (truncated, rewritten, or restored from an older backup). */
  | 'exported-head'
  /** A secret row or kept version that its last audited mutation did not write (verify-secrets.ts). */
  | 'secret'

/** What `verify` found: every row accounted for and linked, or the first thing that is wrong. */
export type VerifyResult =
  | { ok: true; rows: number; head: { last_id: number; chain: string } }
  | {
      ok: false
      /** Rows verified before the problem. */
      rows: number
      /** The row the problem is at (for `missing`, the first id that is not there; for the head, its last id). */
      id: number
      problem: VerifyProblem
      detail: string
      /** For `secret`: the secret named, and the version its row holds. */
      secret?: string
      version?: number
    }

type Failure = Extract<VerifyResult, { ok: false }>

const VERIFY_PAGE = 2000
// How far around a broken row `verify` looks for the place a moved row came from.
const REORDER_WINDOW = 32
// How many ids a message lists.
const NAMED = 10

/**
 * Walks the whole audit table and accounts for every row: rows with ids of 0
 * or below, duplicate ids, gaps and a row count that differs from the rows
 * walked all fail, named. Every link is recomputed under its chain key;
 * chain keys only move forward (a row under an older key than the row before
 * it is refused); then the head's MAC, its last id, chain value and row count
 * are checked, and, when given, that the chain contains an exported head.
 *
 * A row whose chain key no configured master key opens is `unverifiable`;
 * the walk goes on past it (checking later rows against its stored chain
 * value), so a definite problem anywhere is still reported first.
 */
export async function verifyChain(
  db: Kysely<Database>,
  keys: ChainKeyResolver,
  options: { exported?: ExportedHead } = {},
): Promise<VerifyResult> {
  const records = new Map((await loadChainKeys(db)).map((r) => [r.id, r]))
  const newestSeq = Math.max(0, ...[...records.values()].map((r) => r.seq))
  const headRow = await db.selectFrom('audit_chain_head').selectAll().where('id', '=', 1).executeTakeFirstOrThrow()
  const head = { last_id: Number(headRow.last_id), chain: headRow.chain, row_count: Number(headRow.row_count) }

  const below = await db.selectFrom('secret_access_log').select('id').where('id', '<', 1).orderBy('id').limit(NAMED).execute()
  if (below.length > 0) {
    const ids = below.map((r) => Number(r.id))
    return fail(0, ids[0]!, 'outside', `row${ids.length > 1 ? 's' : ''} ${ids.join(', ')}${ids.length === NAMED ? ' and more' : ''} outside the chain: ids start at 1`)
  }

  let prev = GENESIS_CHAIN
  let expectedId = 1
  let rows = 0
  let seq = 0
  let unverifiable: Failure | undefined
  let exportedFound = false
  let window: AccessLogRow[] = []
  for (;;) {
    // Keyset pages: a duplicate of a page's last id on the next page is skipped here and found by the count below.
    const page = (
      await db.selectFrom('secret_access_log').selectAll().where('id', '>', expectedId - 1).orderBy('id').limit(VERIFY_PAGE).execute()
    ).map((r) => ({ ...r, id: Number(r.id) }))
    if (page.length === 0) break
    for (const row of page) {
      if (row.id === expectedId - 1 && rows > 0) return fail(rows, row.id, 'duplicate', `two rows have id ${row.id}`)
      if (row.id !== expectedId) {
        return fail(rows, expectedId, 'missing', `row ${expectedId}${row.id - 1 > expectedId ? ` to ${row.id - 1}` : ''} missing before row ${row.id}`)
      }
      if (row.id > head.last_id) {
        return fail(rows, row.id, 'outside', `row ${row.id} lies past the head (last id ${head.last_id})`)
      }
      const record = row.chain_key_id === null ? undefined : records.get(row.chain_key_id)
      if (!row.chain || !row.chain_key_id) return fail(rows, row.id, 'changed', `row ${row.id} has no chain value`)
      if (!record) return fail(rows, row.id, 'changed', `row ${row.id} is chained under chain key ${row.chain_key_id}, which the log does not know`)
      if (record.seq < seq) {
        return fail(rows, row.id, 'older-key', `row ${row.id} is chained under chain key ${record.id}, older than the key of the row before it`)
      }
      seq = record.seq
      const key = await keys.resolve(record)
      if (key === 'tampered') return fail(rows, row.id, 'changed', `the chain key ${record.id} of row ${row.id} does not open (its seal was edited)`)
      if (key === 'unavailable') {
        unverifiable ??= fail(rows, row.id, 'unverifiable', unavailable(row.id, record))
      } else if (!chainEquals(await chainLink(key, prev, row as ChainFields), row.chain)) {
        const moved = await findOrigin(row, [...window, ...page], key)
        return moved !== undefined
          ? fail(rows, row.id, 'reordered', `row ${row.id} holds the entry written as row ${moved}`)
          : fail(rows, row.id, 'changed', `row ${row.id} does not match its chain value (a field or the chain was edited)`)
      }
      if (options.exported && row.id === options.exported.last_id) {
        if (!chainEquals(row.chain, options.exported.chain)) {
          return fail(rows, row.id, 'exported-head', `row ${row.id} has another chain value than the exported head: the log was rewritten up to it`)
        }
        exportedFound = true
      }
      prev = row.chain
      expectedId++
      rows++
    }
    if (page.length < VERIFY_PAGE) break
    window = page
  }
  const lastId = expectedId - 1

  const counted = await db.selectFrom('secret_access_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  if (Number(counted.n) !== rows) return countMismatch(db, rows, lastId, Number(counted.n))

  const record = parseChainKeyRecord(headRow.chain_key)
  if (!record || !headRow.mac) {
    const secrets = await db.selectFrom('secret').select('name').limit(1).execute()
    if (rows > 0 || records.size > 0 || secrets.length > 0) {
      return fail(rows, head.last_id, 'head', 'the head is not authenticated (no MAC): the log may have been truncated or emptied')
    }
  } else {
    const known = records.get(record.id)
    if (!known || known.seq !== record.seq || known.seq !== newestSeq) {
      return fail(rows, head.last_id, 'head', `the head is sealed under chain key ${record.id}, which is not the newest key of the log`)
    }
    const key = await keys.resolve(known)
    if (key === 'tampered') return fail(rows, head.last_id, 'head', `the head's chain key ${record.id} does not open (its seal was edited)`)
    if (key === 'unavailable') {
      unverifiable ??= fail(rows, head.last_id, 'unverifiable', `the head is sealed under chain key ${record.id}: ${unavailable(head.last_id, known)}`)
    } else if (!chainEquals(await headMac(key, { ...head, chain_key_id: record.id }), headRow.mac)) {
      return fail(rows, head.last_id, 'head', 'the head does not match its MAC (it was rewritten)')
    }
  }
  if (head.last_id > lastId) {
    return fail(rows, lastId + 1, 'missing', `row${head.last_id > lastId + 1 ? `s ${lastId + 1} to` : ''} ${head.last_id} missing: the log ends before the chain head`)
  }
  if (!chainEquals(head.chain, prev)) return fail(rows, lastId, 'changed', 'the chain head does not match the last row')
  if (record && head.row_count !== rows) {
    return fail(rows, lastId, 'count', `the head counts ${head.row_count} rows, the log holds ${rows}`)
  }
  if (options.exported && !exportedFound) {
    const e = options.exported
    return fail(rows, e.last_id, 'exported-head', `the exported head names row ${e.last_id}, but the log ${e.last_id > lastId ? `ends at row ${lastId}: rows were removed or the store restored from an older backup` : 'has no such row'}`)
  }
  if (unverifiable) return unverifiable
  return { ok: true, rows, head: { last_id: head.last_id, chain: head.chain } }
}

/** Names what the rows the walk did not account for are. */
async function countMismatch(db: Kysely<Database>, rows: number, lastId: number, total: number): Promise<Failure> {
  const dups = await db
    .selectFrom('secret_access_log')
    .select('id')
    .where('id', 'is not', null)
    .groupBy('id')
    .having((eb) => eb.fn.countAll(), '>', 1)
    .orderBy('id')
    .limit(NAMED)
    .execute()
  if (dups.length > 0) {
    const ids = dups.map((r) => Number(r.id))
    return fail(rows, ids[0]!, 'duplicate', `more than one row has id ${ids.join(', ')}`)
  }
  const nulls = await db.selectFrom('secret_access_log').select((eb) => eb.fn.countAll().as('n')).where('id', 'is', null).executeTakeFirstOrThrow()
  if (Number(nulls.n) > 0) return fail(rows, 0, 'outside', `${Number(nulls.n)} row(s) without an id, outside the chain`)
  return fail(rows, lastId, 'count', `the table holds ${total} rows, the chain accounts for ${rows}`)
}

function fail(rows: number, id: number, problem: VerifyProblem, detail: string): Failure {
  return { ok: false, rows, id, problem, detail }
}

function unavailable(id: number, record: ChainKeyRecord): string {
  const needs = record.sealed_by ?? record.id
  return `row ${id} is chained under chain key ${record.id}, which needs master key ${needs}: configure it (CLAUDE_HOOKS_SECRET_KEY_PREVIOUS), then run \`secrets rotate --all\``
}

/**
 * For a row that fails to verify: the id it was written under, if its
 * contents authenticate at another place nearby (rows exchanged), else
 * undefined (the row was edited).
 */
async function findOrigin(row: AccessLogRow, loaded: AccessLogRow[], key: CryptoKey): Promise<number | undefined> {
  if (!row.chain) return undefined
  const nearby = loaded.filter((r) => Math.abs(r.id - row.id) <= REORDER_WINDOW)
  const prevs = [GENESIS_CHAIN, ...nearby.map((r) => r.chain).filter((c): c is string => !!c)]
  const ids = nearby.map((r) => r.id).filter((id) => id !== row.id)
  for (const id of ids) {
    for (const prev of prevs) {
      if (chainEquals(await chainLink(key, prev, { ...(row as ChainFields), id }), row.chain)) return id
    }
  }
  return undefined
}
