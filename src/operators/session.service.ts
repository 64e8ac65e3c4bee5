import type { Kysely } from 'kysely'
import type { Database } from '../store/schema.ts'
import { operatorDb, type OperatorDb, type OperatorSessionRow } from './operator.table.ts'
import { csrfTokenFor, hashSessionToken, isSessionTokenShape, newSessionToken } from './session-token.ts'
import { deleteExpiredSessions, deleteSession, findSession, insertSession, touchSession } from './session.repository.ts'

/** How long sessions live. */
export interface SessionPolicy {
  /** A session unused this long is over. */
  readonly idleMs: number
  /** A session this old is over, however busy. */
  readonly absoluteMs: number
  /**
   * The idle clock is written at most this often per session: a write per
   * request would serialise every read behind SQLite's single writer. The
   * idle timeout is therefore exact to within this interval.
   */
  readonly touchIntervalMs: number
}

/** 30 minutes idle, 12 hours absolute, idle clock written at most once a minute. */
export const DEFAULT_SESSION_POLICY: SessionPolicy = Object.freeze({
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
  touchIntervalMs: 60_000,
})

/** A live session, as the HTTP layer sees it. */
export interface ActiveSession {
  readonly username: string
  /** The database key of the session (SHA-256 of the token). */
  readonly tokenHash: string
  /** The value `X-CSRF-Token` must carry. */
  readonly csrfToken: string
  readonly createdAt: string
  /** When it ends unless used again: the earlier of the idle and the absolute expiry, as of now. */
  readonly expiresAt: string
  /** When it ends whatever happens (created_at + the absolute lifetime). */
  readonly absoluteExpiresAt: string
}

export interface SessionServiceOptions {
  db: Kysely<Database>
  now?: () => Date
  policy?: Partial<SessionPolicy>
}

/** Sessions remembered between requests at most (the oldest are forgotten first). */
const MAX_CACHED_SESSIONS = 1000

interface CachedSession {
  generation: string
  row: OperatorSessionRow
  csrfToken: string
  /** `row.created_at` and `row.last_seen_at` as times (two Date.parse a request otherwise). */
  createdMs: number
  seenMs: number
  /** The session answered for `row.last_seen_at` (its expiry texts are two toISOString a request otherwise). */
  answer?: { seen: string; session: ActiveSession }
}

/**
 * Operator sessions, stored by token hash with idle and absolute expiry.
 * Expired rows are deleted when met and, in bulk, at each login.
 *
 * A caller that can tell whether the database changed (a `generation`
 * token, see src/store/database-generation.ts) lets {@link resolve} reuse the
 * row and CSRF token it read under the same generation: no query and no
 * HMAC per request. Expiry is still checked on every call.
 */
export class SessionService {
  readonly #db: OperatorDb
  readonly #now: () => Date
  readonly policy: SessionPolicy
  readonly #cache = new Map<string, CachedSession>()

  constructor(options: SessionServiceOptions) {
    this.#db = operatorDb(options.db)
    this.#now = options.now ?? (() => new Date())
    this.policy = { ...DEFAULT_SESSION_POLICY, ...options.policy }
  }

  /**
   * Starts a session for `username` (an operator that exists).
   * @returns the token for the cookie (shown nowhere else) and the session.
   */
  async create(username: string): Promise<{ token: string; session: ActiveSession }> {
    const now = this.#now()
    await deleteExpiredSessions(this.#db, {
      createdBefore: new Date(now.getTime() - this.policy.absoluteMs).toISOString(),
      seenBefore: new Date(now.getTime() - this.policy.idleMs).toISOString(),
    })
    const token = newSessionToken()
    const tokenHash = hashSessionToken(token)
    const at = now.toISOString()
    await insertSession(this.#db, { token_hash: tokenHash, username, created_at: at, last_seen_at: at })
    return { token, session: { username, tokenHash, csrfToken: csrfTokenFor(token), createdAt: at, ...this.#expiry(at, at) } }
  }

  /**
   * The live session a cookie's token names, or undefined (malformed,
   * unknown, logged out, operator removed, idle or absolute expiry). An
   * expired row is deleted. Moves the idle clock on.
   *
   * @param generation the database generation the caller observed; the
   *   row read under the same generation is reused. Undefined: always read.
   * @returns the answer itself when the cached row gives it (no promise: the
   *   request need not wait a turn), else a promise of it.
   */
  resolve(token: string | undefined, generation?: string): ActiveSession | undefined | Promise<ActiveSession | undefined> {
    if (!isSessionTokenShape(token)) return undefined
    const tokenHash = hashSessionToken(token)
    const entry = generation === undefined ? undefined : this.#cache.get(tokenHash)
    // Read under this generation, neither expired nor due for a touch: the answer now, with no I/O and no promise.
    if (entry && entry.generation === generation) {
      const now = this.#now().getTime()
      const idle = now - entry.seenMs
      if (now - entry.createdMs < this.policy.absoluteMs && idle < this.policy.idleMs && idle < this.policy.touchIntervalMs) return this.#answer(entry, tokenHash)
    }
    return this.#resolveReading(token, tokenHash, generation)
  }

  /** {@link resolve} when the row must be read, or deleted, or touched. */
  async #resolveReading(token: string, tokenHash: string, generation: string | undefined): Promise<ActiveSession | undefined> {
    let entry = generation === undefined ? undefined : this.#cache.get(tokenHash)
    if (!entry || entry.generation !== generation) {
      this.#cache.delete(tokenHash)
      const row = await findSession(this.#db, tokenHash)
      if (!row) return undefined
      entry = { generation: generation ?? '', row, csrfToken: csrfTokenFor(token), createdMs: Date.parse(row.created_at), seenMs: Date.parse(row.last_seen_at) }
      if (generation !== undefined) this.#remember(tokenHash, entry)
    }
    // Expiry is checked on every call, cached or not.
    const now = this.#now().getTime()
    const idle = now - entry.seenMs
    if (now - entry.createdMs >= this.policy.absoluteMs || idle >= this.policy.idleMs) {
      this.#cache.delete(tokenHash)
      await deleteSession(this.#db, tokenHash)
      return undefined
    }
    if (idle >= this.policy.touchIntervalMs) {
      const seen = new Date(now).toISOString()
      await touchSession(this.#db, tokenHash, seen)
      // Only this row changed, and by us: the cached copy stays valid once updated.
      entry.row = { ...entry.row, last_seen_at: seen }
      entry.seenMs = now
    }
    return this.#answer(entry, tokenHash)
  }

  /** The frozen session of an entry, made again only when its last_seen_at moved. */
  #answer(entry: CachedSession, tokenHash: string): ActiveSession {
    const { row } = entry
    const seen = row.last_seen_at
    if (entry.answer?.seen !== seen) {
      const session: ActiveSession = Object.freeze({ username: row.username, tokenHash, csrfToken: entry.csrfToken, createdAt: row.created_at, ...this.#expiry(row.created_at, seen) })
      entry.answer = { seen, session }
    }
    return entry.answer.session
  }

  #expiry(createdAt: string, lastSeenAt: string): { expiresAt: string; absoluteExpiresAt: string } {
    const absolute = Date.parse(createdAt) + this.policy.absoluteMs
    const idle = Date.parse(lastSeenAt) + this.policy.idleMs
    return { expiresAt: new Date(Math.min(absolute, idle)).toISOString(), absoluteExpiresAt: new Date(absolute).toISOString() }
  }

  /** Ends a session (log out). Returns whether it existed. */
  async end(tokenHash: string): Promise<boolean> {
    this.#cache.delete(tokenHash)
    return (await deleteSession(this.#db, tokenHash)) > 0
  }

  #remember(tokenHash: string, entry: CachedSession): void {
    this.#cache.set(tokenHash, entry)
    if (this.#cache.size > MAX_CACHED_SESSIONS) this.#cache.delete(this.#cache.keys().next().value!)
  }
}
