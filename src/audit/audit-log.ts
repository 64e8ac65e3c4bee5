import type { Kysely } from 'kysely'
import type { Keyring } from '../crypto/keyring.ts'
import { isSqlConnection, type Queryable, rawRows } from '../store/raw-query.ts'
import type { Database, NewAccessLogRow } from '../store/schema.ts'
import { writeTransaction } from '../store/transaction.ts'
import type { ChainFields } from './chain.ts'
import { insertAccessLogRows } from './access-log-insert.ts'
import { ChainKeyResolver, loadChainKeys, resealChainKeys, startChainKey } from './chain-key-store.ts'
import { type ChainKeyRecord, parseChainKeyRecord } from './chain-keys.ts'
import type { ChainSignerFactory } from './chain-signer.ts'
import { type ExportedHead, verifyChain, type VerifyResult } from './verify.ts'
import { verifySecretRows } from './verify-secrets.ts'

export type { ExportedHead, VerifyProblem, VerifyResult } from './verify.ts'

/** An audit row as callers give it: the chain columns and the id are the log's to assign. */
export type AuditEntry = Omit<NewAccessLogRow, 'id' | 'chain' | 'chain_key_id'>

/** What `rekey` did. */
export interface RekeyResult {
  /** A new chain key was started (the head's key had been sealed under an older master key). */
  started: boolean
  /** Chain keys no configured master key opens (their rows stay unverifiable with this keyring). */
  unopened: string[]
}

// SQLite allows 32,766 bound parameters per statement; 9 columns a row.
const INSERT_CHUNK = 1000

type LockedHead = { last_id: number; chain: string; row_count: number; chain_key: ChainKeyRecord | undefined }

/**
 * The tamper-evident access log (see chain.ts for the arithmetic and
 * chain-keys.ts for the keys). Appends are serialized through the one-row
 * `audit_chain_head` table: the first statement of an append is an
 * UPDATE ... RETURNING on it, which takes SQLite's write lock (waiting up to
 * the busy timeout) or PostgreSQL's row lock, reserves the ids, and returns
 * the sealed chain key, so an append costs no query more than the rows and
 * the head's new value. Two processes or servers therefore extend one chain,
 * never fork it.
 */
export class AuditLog {
  readonly #keyring: Keyring
  readonly #keys: ChainKeyResolver

  /** `options.signers`: how appends compute links (chain-hasher.ts); default chain-signer.ts's choice for the process. */
  constructor(keyring: Keyring, options: { signers?: ChainSignerFactory | undefined } = {}) {
    this.#keyring = keyring
    this.#keys = new ChainKeyResolver(keyring, options.signers)
  }

  /** Locks the head in `trx`, reserving `add` ids, and returns it (with what it was before). */
  async #lockHead(trx: Queryable, add: number): Promise<LockedHead> {
    // Every append's first statement: as text (raw-query.ts), so a local render runs it without Kysely.
    const [head] = await rawRows<{ last_id: number | string; chain: string; row_count: number | string; chain_key: string | null }>(
      trx,
      'update "audit_chain_head" set "last_id" = "last_id" + ?, "row_count" = "row_count" + ? where "id" = 1 returning "last_id", "chain", "row_count", "chain_key"',
      [add, add],
    )
    if (!head) throw new Error('the audit chain head row is missing')
    return { last_id: Number(head.last_id), chain: head.chain, row_count: Number(head.row_count), chain_key: parseChainKeyRecord(head.chain_key) }
  }

  /**
   * First seal of a head (a new store, or one upgraded from before 0006):
   * seals the derived keys this keyring has, starts the chain's random key,
   * and counts the rows. Trust on first use: what is in the log now is
   * what the head vouches for from here on.
   */
  async #firstSeal(trx: Kysely<Database>, head: LockedHead, add: number): Promise<LockedHead> {
    await resealChainKeys(trx, this.#keyring, this.#keys)
    const record = await startChainKey(trx, this.#keyring, new Date().toISOString())
    const counted = await trx.selectFrom('secret_access_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
    const rowCount = Number(counted.n) + add
    await trx.updateTable('audit_chain_head').set({ chain_key: JSON.stringify(record), row_count: rowCount }).where('id', '=', 1).execute()
    return { ...head, row_count: rowCount, chain_key: record }
  }

  async #writeHead(trx: Queryable, record: ChainKeyRecord, head: { last_id: number; chain: string; row_count: number }): Promise<void> {
    const mac = await (await this.#keys.requireSigner(record)).head({ ...head, chain_key_id: record.id })
    await rawRows(trx, 'update "audit_chain_head" set "chain" = ?, "mac" = ? where "id" = 1', [head.chain, mac])
  }

  /**
   * Appends entries to the chain inside the caller's transaction `trx`
   * (so a mutation and its audit row commit or roll back together), under
   * the head's chain key, and authenticates the new head. `trx` may be a
   * bare connection (raw-query.ts) once the head is sealed (a local render
   * checks that before it takes that path: sqlite-reader.ts).
   * @throws DecryptError when no configured master key opens the chain key.
   */
  async append(trx: Queryable, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return
    let head = await this.#lockHead(trx, entries.length)
    if (!head.chain_key) {
      if (isSqlConnection(trx)) throw new Error('internal: the first seal of the audit chain needs Kysely (sqlite-reader.ts checks the head is sealed)')
      head = await this.#firstSeal(trx, head, entries.length)
    }
    const record = head.chain_key!
    const signer = await this.#keys.requireSigner(record)
    let id = head.last_id - entries.length
    let prev = head.chain
    const rows: Array<NewAccessLogRow & ChainFields & { chain: string }> = []
    for (const entry of entries) {
      id++
      const fields = { ...entry, id, chain_key_id: record.id }
      const link = signer.link(prev, fields)
      prev = typeof link === 'string' ? link : await link
      rows.push({ ...fields, chain: prev })
    }
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await insertAccessLogRows(trx, rows.slice(i, i + INSERT_CHUNK))
    }
    await this.#writeHead(trx, record, { last_id: head.last_id, chain: prev, row_count: head.row_count })
  }

  /** Whether the head was sealed (has a chain key): an append on a bare connection (raw-query.ts) needs it. */
  static async sealed(db: Queryable): Promise<boolean> {
    const [head] = await rawRows<{ chain_key: string | null }>(db, 'select "chain_key" from "audit_chain_head" where "id" = 1', [])
    return head !== undefined && head.chain_key !== null
  }

  /**
   * Authenticates a head that was never sealed (a new store, or the first
   * run after the upgrade to 0006); a no-op otherwise. `openSecrets` calls it
   * after it migrated the store.
   */
  async seal(db: Kysely<Database>): Promise<void> {
    await writeTransaction(db, async (trx) => {
      const head = await this.#lockHead(trx, 0)
      if (head.chain_key) return
      const sealed = await this.#firstSeal(trx, head, 0)
      await this.#writeHead(trx, sealed.chain_key!, sealed)
    })
  }

  /**
   * Moves the chain onto the current master key (called by `rotate --all`,
   * every batch; idempotent): re-seals every chain key it can open under
   * the current master key, and when the head's key had been sealed under
   * an older master key, starts a new chain key for the rows to come, so a
   * retired master key (and any old copy of a sealed chain key) can no
   * longer extend the chain. Runs inside the caller's transaction.
   */
  async rekey(trx: Kysely<Database>): Promise<RekeyResult> {
    let head = await this.#lockHead(trx, 0)
    if (!head.chain_key) {
      head = await this.#firstSeal(trx, head, 0)
      await this.#writeHead(trx, head.chain_key!, head)
      return { started: true, unopened: await resealChainKeys(trx, this.#keyring, this.#keys) }
    }
    const stale = head.chain_key.sealed_by !== this.#keyring.current.id
    const unopened = await resealChainKeys(trx, this.#keyring, this.#keys)
    if (!stale) return { started: false, unopened }
    const record = await startChainKey(trx, this.#keyring, new Date().toISOString())
    await trx.updateTable('audit_chain_head').set({ chain_key: JSON.stringify(record) }).where('id', '=', 1).execute()
    await this.#writeHead(trx, record, head)
    return { started: true, unopened }
  }

  /**
   * The master key ids the chain still needs: those that seal a chain key,
   * and those of derived keys not sealed yet. After `rotate --all`, only the
   * current one.
   */
  async masterKeysNeeded(db: Kysely<Database>): Promise<Set<string>> {
    const needed = new Set<string>()
    for (const record of await loadChainKeys(db)) {
      if (record.sealed_by !== null) needed.add(record.sealed_by)
      else if (record.kind === 'derived') needed.add(record.id)
    }
    return needed
  }

  /** The newest link: export it elsewhere to detect truncation later (`secrets audit head`). */
  async head(db: Kysely<Database>): Promise<{ last_id: number; chain: string; rows: number }> {
    const head = await db
      .selectFrom('audit_chain_head')
      .select(['last_id', 'chain', 'row_count'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow()
    return { last_id: Number(head.last_id), chain: head.chain, rows: Number(head.row_count) }
  }

  /**
   * Accounts for every row of the table and recomputes every link, then
   * checks the head's MAC (see verify.ts for what it detects). With
   * `exported`, also checks the chain against a head exported earlier. Once
   * the chain holds, checks every secret row and kept version against the
   * last audited mutation of it (verify-secrets.ts: problem `secret`).
   */
  async verify(db: Kysely<Database>, options: { exported?: ExportedHead } = {}): Promise<VerifyResult> {
    const chain = await verifyChain(db, new ChainKeyResolver(this.#keyring), options)
    if (!chain.ok) return chain
    // The chain is authentic: now every secret row and kept version must be one its audit rows account for.
    const { problems, total } = await verifySecretRows(db)
    const first = problems[0]
    if (!first) return chain
    const more = total > 1 ? ` (and ${total - 1} more: ${problems.slice(1).map((p) => p.secret + (p.version === undefined ? '' : `@${p.version}`)).join(', ')}${total > problems.length ? ', …' : ''})` : ''
    return {
      ok: false,
      rows: chain.rows,
      id: first.id,
      problem: 'secret',
      detail: first.detail + more,
      secret: first.secret,
      ...(first.version === undefined ? {} : { version: first.version }),
    }
  }
}
