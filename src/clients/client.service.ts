import type { Kysely } from 'kysely'
import { validateField } from '../secrets/validation.ts'
import { isUniqueViolation } from '../store/driver-errors.ts'
import type { Database } from '../store/schema.ts'
import { writeTransaction } from '../store/transaction.ts'
import { ClientExistsError, ClientNotFoundError, TokenNotFoundError } from './client-errors.ts'
import { clientTokenId, clientTokenMatches, newClientToken, TOKEN_ID_PATTERN } from './client-token.ts'
import { ClientDescriptionSchema, ClientNameSchema, GrantListSchema } from './client-validation.ts'
import {
  deleteClient,
  findClient,
  findToken,
  grantsOf,
  grantsOfClient,
  insertClient,
  insertToken,
  listClients,
  lockClient,
  replaceGrants,
  revokeTokens,
  tokensOf,
  touchToken,
  updateClient,
} from './client.repository.ts'
import { type ClientDb, clientDb, type ClientRow, type ClientTokenRow } from './client.table.ts'
import { normalizeGrants } from './grant.ts'
import { DEFAULT_TOKEN_TTL_MS, MAX_TOKEN_TTL_MS } from './ttl.ts'
import { ValidationError } from '../errors.ts'
import type { ChangeActor, SecurityAudit, SecurityEvent } from '../audit/security-audit.ts'

/** A token as lists show it: never the token, never its hash. */
export interface TokenInfo {
  id: string
  created_at: string
  expires_at: string
  last_used_at: string | null
  revoked_at: string | null
}

/** A client as the service tells it. */
export interface ClientInfo {
  name: string
  description: string
  grants: string[]
  created_at: string
  updated_at: string
  tokens: TokenInfo[]
}

/** Who a valid token speaks for. */
export interface ClientPrincipal {
  client: string
  tokenId: string
  grants: readonly string[]
  /** When the token was last recorded as used (for {@link ClientService.recordUse}). */
  lastUsedAt: string | null
}

/** Why a token was refused (never said to the caller in more detail than 401). */
export type TokenRefusal = 'malformed' | 'unknown' | 'wrong' | 'expired' | 'revoked'

/** The outcome of {@link ClientService.authenticate}. */
export type Authentication =
  | { ok: true; principal: ClientPrincipal }
  | {
      ok: false
      why: TokenRefusal
      /** Set when the token's id is a stored one (then it is a public id, not part of a secret). */
      tokenId?: string
      client?: string
    }

export interface ClientServiceOptions {
  db: Kysely<Database>
  now?: () => Date
  /** A token's last use is written at most this often (default 60 s): a write per delivery would queue behind SQLite's one writer. */
  touchIntervalMs?: number
  /**
   * Where changes are audited (`client_add`, `client_update`,
   * `client_remove`, `token_issue`, `token_revoke`), in the change's own
   * transaction. Without it nothing is audited: the CLI and the server
   * always pass one.
   */
  audit?: SecurityAudit | undefined
}

/** Who a change is attributed to when the caller names nobody. */
const UNNAMED: ChangeActor = { accessor: 'unknown' }

const tokenInfo = (t: ClientTokenRow): TokenInfo => ({
  id: t.id,
  created_at: t.created_at,
  expires_at: t.expires_at,
  last_used_at: t.last_used_at,
  revoked_at: t.revoked_at,
})

/**
 * Machine clients: their grants and tokens (docs/clients.md). Needs the
 * store only, never the master key: a client holds no secret, and the CLI
 * administers clients without the key.
 *
 * Every write is one transaction (BEGIN IMMEDIATE on SQLite): replacing a
 * grant list is all or nothing, and a token is issued only to a client
 * that still exists when it commits.
 */
export class ClientService {
  readonly #db: ClientDb
  readonly #now: () => Date
  readonly #touchIntervalMs: number
  readonly #audit: SecurityAudit | undefined

  constructor(options: ClientServiceOptions) {
    this.#db = clientDb(options.db)
    this.#now = options.now ?? (() => new Date())
    this.#touchIntervalMs = options.touchIntervalMs ?? 60_000
    this.#audit = options.audit
  }

  async #audited(trx: ClientDb, by: ChangeActor, events: Array<Omit<SecurityEvent, 'accessor' | 'address'>>): Promise<void> {
    if (events.length > 0) await this.#audit?.append(trx, events.map((e) => ({ ...e, accessor: by.accessor, address: by.address })))
  }

  #info(row: ClientRow, grants: string[] | undefined, tokens: ClientTokenRow[]): ClientInfo {
    return { ...row, grants: grants ?? [], tokens: tokens.map(tokenInfo) }
  }

  /**
   * Adds a client with its grants.
   * @throws ValidationError (nothing written); ClientExistsError.
   */
  async add(input: { name: string; description?: string | undefined; grants: readonly string[] }, by: ChangeActor = UNNAMED): Promise<ClientInfo> {
    const name = validateField('name', ClientNameSchema, input?.name)
    const description = validateField('description', ClientDescriptionSchema, input?.description ?? '')
    const grants = normalizeGrants(validateField('grants', GrantListSchema, input?.grants))
    const at = this.#now().toISOString()
    const row = { name, description, created_at: at, updated_at: at }
    try {
      await writeTransaction(this.#db, async (trx) => {
        await insertClient(trx, row)
        await replaceGrants(trx, name, grants)
        await this.#audited(trx, by, [{ action: 'client_add', reason: `client ${name}: grants ${grants.join(' ')}` }])
      })
    } catch (e) {
      if (isUniqueViolation(e)) throw new ClientExistsError(name)
      throw e
    }
    return this.#info(row, grants, [])
  }

  /**
   * Replaces a client's grant list (when given) and description (when given).
   * @throws ValidationError (nothing written); ClientNotFoundError.
   */
  async update(
    name: string,
    input: { description?: string | undefined; grants?: readonly string[] | undefined },
    by: ChangeActor = UNNAMED,
  ): Promise<ClientInfo> {
    validateField('name', ClientNameSchema, name)
    const description =
      input?.description === undefined ? undefined : validateField('description', ClientDescriptionSchema, input.description)
    const grants = input?.grants === undefined ? undefined : normalizeGrants(validateField('grants', GrantListSchema, input.grants))
    const at = this.#now().toISOString()
    await writeTransaction(this.#db, async (trx) => {
      const set = { updated_at: at, ...(description === undefined ? {} : { description }) }
      if ((await updateClient(trx, name, set)) === 0) throw new ClientNotFoundError(name)
      if (grants !== undefined) await replaceGrants(trx, name, grants)
      const what = [...(grants === undefined ? [] : [`grants ${grants.join(' ')}`]), ...(description === undefined ? [] : ['description'])]
      await this.#audited(trx, by, [{ action: 'client_update', reason: `client ${name}: ${what.join(', ') || 'touched'}` }])
    })
    return this.get(name)
  }

  /** One client with its grants and tokens. @throws ClientNotFoundError. */
  async get(name: string): Promise<ClientInfo> {
    validateField('name', ClientNameSchema, name)
    const row = await findClient(this.#db, name)
    if (!row) throw new ClientNotFoundError(name)
    const grants = await grantsOf(this.#db, [name])
    return this.#info(row, grants.get(name), await tokensOf(this.#db, [name]))
  }

  /** Every client with its grants and tokens, by name. */
  async list(): Promise<ClientInfo[]> {
    const [rows, grants, tokens] = await Promise.all([listClients(this.#db), grantsOf(this.#db), tokensOf(this.#db)])
    return rows.map((r) => this.#info(r, grants.get(r.name), tokens.filter((t) => t.client_name === r.name)))
  }

  /** Removes a client, its grants and its tokens (which stop working at once). @throws ClientNotFoundError. */
  async remove(name: string, by: ChangeActor = UNNAMED): Promise<void> {
    validateField('name', ClientNameSchema, name)
    await writeTransaction(this.#db, async (trx) => {
      if ((await deleteClient(trx, name)) === 0) throw new ClientNotFoundError(name)
      await this.#audited(trx, by, [{ action: 'client_remove', reason: `client ${name}` }])
    })
  }

  /**
   * Issues a token that expires after `ttlMs` (default 90 days). The token
   * is in the answer only: it is stored as a hash.
   * @throws ValidationError for a lifetime out of range; ClientNotFoundError.
   */
  async issueToken(name: string, ttlMs: number = DEFAULT_TOKEN_TTL_MS, by: ChangeActor = UNNAMED): Promise<{ token: string; info: TokenInfo }> {
    validateField('name', ClientNameSchema, name)
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 60_000 || ttlMs > MAX_TOKEN_TTL_MS) {
      throw new ValidationError('ttl', 'range', 'ttl must be from 1 minute to 3650 days')
    }
    const now = this.#now()
    const { token, id, hash } = newClientToken()
    const row: ClientTokenRow = {
      id,
      client_name: name,
      token_hash: hash,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + ttlMs).toISOString(),
      last_used_at: null,
      revoked_at: null,
    }
    await writeTransaction(this.#db, async (trx) => {
      // Locked inside the transaction: a client removed meanwhile gets no token,
      // and a removal that comes later takes the token with it.
      if (!(await lockClient(trx, name))) throw new ClientNotFoundError(name)
      await insertToken(trx, row)
      await this.#audited(trx, by, [{ action: 'token_issue', reason: `client ${name}: expires ${row.expires_at}`, tokenId: id }])
    })
    return { token, info: tokenInfo(row) }
  }

  /**
   * Revokes one token (by id) or every live token of a client. Returns how
   * many were revoked (revoking a revoked token again is not an error).
   * @throws ClientNotFoundError; TokenNotFoundError for an id the client does not have.
   */
  async revoke(name: string, id?: string, by: ChangeActor = UNNAMED): Promise<number> {
    validateField('name', ClientNameSchema, name)
    if (id !== undefined && !TOKEN_ID_PATTERN.test(id)) {
      throw new ValidationError('token', 'pattern', 'token id must be 16 lowercase hex characters (as `secrets client list` shows)')
    }
    const at = this.#now().toISOString()
    return writeTransaction(this.#db, async (trx) => {
      if (!(await lockClient(trx, name))) throw new ClientNotFoundError(name)
      if (id !== undefined) {
        const token = await findToken(trx, id)
        if (!token || token.client_name !== name) throw new TokenNotFoundError(name, id)
      }
      const live = this.#audit ? (await tokensOf(trx, [name])).filter((t) => t.revoked_at === null && (id === undefined || t.id === id)) : []
      const revoked = await revokeTokens(trx, name, at, id)
      // One row per token that stopped working (none when it was revoked already).
      await this.#audited(trx, by, live.map((t) => ({ action: 'token_revoke' as const, reason: `client ${name}`, tokenId: t.id })))
      return revoked
    })
  }

  /**
   * Checks a bearer token: its shape, then its stored row by id, the hash
   * (constant time), revocation and expiry, and that its client still has
   * grants to be read. Never throws for a bad token: the caller audits and
   * throttles the refusal. Writes nothing.
   */
  async authenticate(text: string): Promise<Authentication> {
    const id = clientTokenId(text)
    if (id === undefined) return { ok: false, why: 'malformed' }
    const row = await findToken(this.#db, id)
    if (!row) return { ok: false, why: 'unknown' }
    const known = { tokenId: row.id, client: row.client_name }
    if (!clientTokenMatches(text, row.token_hash)) return { ok: false, why: 'wrong', ...known }
    if (row.revoked_at !== null) return { ok: false, why: 'revoked', ...known }
    const now = this.#now()
    if (Date.parse(row.expires_at) <= now.getTime()) return { ok: false, why: 'expired', ...known }
    const grants = await grantsOfClient(this.#db, row.client_name)
    return { ok: true, principal: { client: row.client_name, tokenId: row.id, grants, lastUsedAt: row.last_used_at } }
  }

  /**
   * Records a token's last use, after a delivery succeeded (a refused one
   * writes nothing but its audit row). Written at most once per touch
   * interval.
   */
  async recordUse(principal: ClientPrincipal): Promise<void> {
    const now = this.#now()
    const last = principal.lastUsedAt
    if (last !== null && now.getTime() - Date.parse(last) < this.#touchIntervalMs) return
    await touchToken(this.#db, principal.tokenId, now.toISOString())
  }
}
