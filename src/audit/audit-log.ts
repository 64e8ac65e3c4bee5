import type { Kysely } from 'kysely'
import type { Keyring } from '../crypto/keyring.ts'
import type { AccessLogRow, Database, NewAccessLogRow } from '../store/schema.ts'
import { chainEquals, type ChainFields, chainLink, deriveChainKey, GENESIS_CHAIN } from './chain.ts'

/** An audit row as callers give it: the chain columns and the id are the log's to assign. */
export type AuditEntry = Omit<NewAccessLogRow, 'id' | 'chain' | 'chain_key_id'>

/** What `verify` found: every row links, or the first row that does not and why. */
export type VerifyResult =
  | { ok: true; rows: number; head: { last_id: number; chain: string } }
  | {
      ok: false
      rows: number
      /** The first row that is wrong (for `missing`, the first id that is not there). */
      id: number
      problem: 'changed' | 'missing' | 'reordered' | 'unverifiable'
      detail: string
    }

// SQLite allows 32,766 bound parameters per statement; 9 columns a row.
const INSERT_CHUNK = 1000
const VERIFY_PAGE = 2000
// How far around a broken row `verify` looks for the place a moved row came from.
const REORDER_WINDOW = 32

/**
 * The tamper-evident access log (see chain.ts for the arithmetic). Appends
 * are serialized through the one-row `audit_chain_head` table: the first
 * statement of an append is an UPDATE ... RETURNING on it, which takes
 * SQLite's write lock (waiting up to the busy timeout) or PostgreSQL's row
 * lock, and reserves the ids. Two processes or servers therefore extend one
 * chain, never fork it.
 */
export class AuditLog {
  readonly #keyring: Keyring
  readonly #keys = new Map<string, Promise<CryptoKey>>()

  constructor(keyring: Keyring) {
    this.#keyring = keyring
  }

  #chainKey(keyId: string): Promise<CryptoKey> {
    let key = this.#keys.get(keyId)
    if (!key) {
      key = deriveChainKey(this.#keyring.get(keyId))
      this.#keys.set(keyId, key)
    }
    return key
  }

  /**
   * Appends entries to the chain inside the caller's transaction `trx`
   * (so a mutation and its audit row commit or roll back together).
   */
  async append(trx: Kysely<Database>, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return
    const head = await trx
      .updateTable('audit_chain_head')
      .set((eb) => ({ last_id: eb('last_id', '+', entries.length) }))
      .where('id', '=', 1)
      .returning(['last_id', 'chain'])
      .executeTakeFirstOrThrow()
    const keyId = this.#keyring.current.id
    const key = await this.#chainKey(keyId)
    let id = Number(head.last_id) - entries.length
    let prev = head.chain
    const rows: Array<NewAccessLogRow & ChainFields & { chain: string }> = []
    for (const entry of entries) {
      id++
      const fields = { ...entry, id, chain_key_id: keyId }
      prev = await chainLink(key, prev, fields)
      rows.push({ ...fields, chain: prev })
    }
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await trx.insertInto('secret_access_log').values(rows.slice(i, i + INSERT_CHUNK)).execute()
    }
    await trx.updateTable('audit_chain_head').set({ chain: prev }).where('id', '=', 1).execute()
  }

  /** The newest link: export it elsewhere to detect truncation later (`secrets audit head`). */
  async head(db: Kysely<Database>): Promise<{ last_id: number; chain: string }> {
    const head = await db.selectFrom('audit_chain_head').select(['last_id', 'chain']).where('id', '=', 1).executeTakeFirstOrThrow()
    return { last_id: Number(head.last_id), chain: head.chain }
  }

  /**
   * Walks the whole chain in id order and recomputes every link.
   *
   * Detects: a changed field or chain value (`changed`), a deleted row in the
   * middle or at the end when the head still remembers it (`missing`), rows
   * whose contents were exchanged (`reordered`), and rows chained under a key
   * id no configured key has (`unverifiable`: add the old key to
   * CLAUDE_HOOKS_SECRET_KEY_PREVIOUS). Cannot detect: the newest rows deleted
   * together with a rewritten head, by someone holding the master key.
   */
  async verify(db: Kysely<Database>): Promise<VerifyResult> {
    let prev = GENESIS_CHAIN
    let expectedId = 1
    let rows = 0
    let window: AccessLogRow[] = []
    for (;;) {
      const page = (
        await db
          .selectFrom('secret_access_log')
          .selectAll()
          .where('id', '>=', expectedId)
          .orderBy('id')
          .limit(VERIFY_PAGE)
          .execute()
      ).map((r) => ({ ...r, id: Number(r.id) }))
      if (page.length === 0) break
      for (const row of page) {
        if (row.id !== expectedId) {
          return {
            ok: false,
            rows,
            id: expectedId,
            problem: 'missing',
            detail: `row ${expectedId}${row.id - 1 > expectedId ? ` to ${row.id - 1}` : ''} missing before row ${row.id}`,
          }
        }
        const broken = await this.#check(row, prev)
        if (broken) {
          const moved = await this.#findOrigin(row, [...window, ...page])
          return moved !== undefined
            ? { ok: false, rows, id: row.id, problem: 'reordered', detail: `row ${row.id} holds the entry written as row ${moved}` }
            : { ok: false, rows, ...broken }
        }
        prev = row.chain!
        expectedId++
        rows++
      }
      window = page
    }
    const head = await this.head(db)
    if (head.last_id > expectedId - 1) {
      return {
        ok: false,
        rows,
        id: expectedId,
        problem: 'missing',
        detail: `rows ${expectedId} to ${head.last_id} missing: the log ends before the chain head`,
      }
    }
    if (head.last_id !== expectedId - 1 || !chainEquals(head.chain, prev)) {
      return { ok: false, rows, id: expectedId - 1, problem: 'changed', detail: 'the chain head does not match the last row' }
    }
    return { ok: true, rows, head }
  }

  async #check(
    row: AccessLogRow,
    prev: string,
  ): Promise<{ id: number; problem: 'changed' | 'unverifiable'; detail: string } | undefined> {
    if (!row.chain || !row.chain_key_id) {
      return { id: row.id, problem: 'changed', detail: `row ${row.id} has no chain value` }
    }
    if (!this.#keyring.has(row.chain_key_id)) {
      return {
        id: row.id,
        problem: 'unverifiable',
        detail: `row ${row.id} is chained under key id ${row.chain_key_id}, which is not configured`,
      }
    }
    const expected = await chainLink(await this.#chainKey(row.chain_key_id), prev, row as ChainFields)
    if (!chainEquals(expected, row.chain)) {
      return { id: row.id, problem: 'changed', detail: `row ${row.id} does not match its chain value (a field or the chain was edited)` }
    }
    return undefined
  }

  /**
   * For a row that fails to verify: the id it was written under, if its
   * contents authenticate at another place nearby (rows exchanged), else
   * undefined (the row was edited).
   */
  async #findOrigin(row: AccessLogRow, loaded: AccessLogRow[]): Promise<number | undefined> {
    if (!row.chain || !row.chain_key_id || !this.#keyring.has(row.chain_key_id)) return undefined
    const nearby = loaded.filter((r) => Math.abs(r.id - row.id) <= REORDER_WINDOW)
    const key = await this.#chainKey(row.chain_key_id)
    const prevs = [GENESIS_CHAIN, ...nearby.map((r) => r.chain).filter((c): c is string => !!c)]
    const ids = nearby.map((r) => r.id).filter((id) => id !== row.id)
    for (const id of ids) {
      for (const prev of prevs) {
        if (chainEquals(await chainLink(key, prev, { ...(row as ChainFields), id }), row.chain)) return id
      }
    }
    return undefined
  }
}
