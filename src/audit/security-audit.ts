import type { Kysely } from 'kysely'
import type { AuditOutcome, Database, SecurityAction } from '../store/schema.ts'
import { writeTransaction } from '../store/transaction.ts'
import type { AuditEntry, AuditLog } from './audit-log.ts'

/**
 * Who made a security-relevant change: the accessor as the secrets service
 * spells it (`operator:alice` over HTTP, `cli:root` on the command line) and,
 * over HTTP, the peer's address.
 */
export interface ChangeActor {
  accessor: string
  address?: string | undefined
}

/** One security event (docs/audit.md, "Security events"). */
export interface SecurityEvent {
  action: SecurityAction
  /** Who: the actor of a change, the operator of a login (`operator:?` when the username is no operator's). */
  accessor: string
  /** What, in words: `operator bob`, `client mcp-github: grants GITHUB_*`. Never a password or a token. */
  reason: string
  /** Default `ok`. */
  outcome?: AuditOutcome
  /** The public id of a client token the event is about. */
  tokenId?: string | undefined
  /** The peer's address (HTTP). An address of another shape is left out. */
  address?: string | undefined
}

/** The accessor of a login whose username is no operator's (the text typed may be a password: it is never written). */
export const UNKNOWN_OPERATOR_ACCESSOR = 'operator:?'

// As delivery.service.ts: what an address may look like to be written.
const ADDRESS = /^[0-9A-Za-z.:%_-]{1,64}$/
const MAX_REASON = 500

/**
 * Writes security events (logins, lockouts, operator and client changes,
 * token issue and revocation) as ordinary rows of the audit chain, with an
 * empty `secret_name` like a refused token's `authenticate` row. Needs the
 * AuditLog, hence the master key: a change that cannot be audited is not
 * made (docs/audit.md).
 */
export class SecurityAudit {
  readonly #db: Kysely<Database>
  readonly #log: AuditLog
  readonly #now: () => Date

  constructor(options: { db: Kysely<Database>; log: AuditLog; now?: (() => Date) | undefined }) {
    this.#db = options.db
    this.#log = options.log
    this.#now = options.now ?? (() => new Date())
  }

  /** Appends the events inside the caller's transaction, so the change and its rows commit or roll back together. */
  async append<DB extends Database>(trx: Kysely<DB>, events: readonly SecurityEvent[]): Promise<void> {
    const at = this.#now().toISOString()
    // A Kysely of more tables than Database is one of Database's: the log touches only its own.
    await this.#log.append(trx as unknown as Kysely<Database>, events.map((e) => securityEntry(e, at)))
  }

  /** Appends the events in a transaction of their own (a login, whose check wrote nothing else). */
  async record(events: readonly SecurityEvent[]): Promise<void> {
    await writeTransaction(this.#db, (trx) => this.append(trx, events))
  }
}

/** The audit row of one event. Token id and address only when present, so other rows keep the shorter chain encoding. */
export function securityEntry(event: SecurityEvent, at: string): AuditEntry {
  return {
    secret_name: '',
    action: event.action,
    accessor: event.accessor,
    label: null,
    reason: event.reason.length > MAX_REASON ? `${event.reason.slice(0, MAX_REASON - 1)}…` : event.reason,
    outcome: event.outcome ?? 'ok',
    at,
    ...(event.tokenId === undefined ? {} : { token_id: event.tokenId }),
    ...(event.address !== undefined && ADDRESS.test(event.address) ? { client_address: event.address } : {}),
  }
}
