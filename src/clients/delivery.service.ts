import type { AuditEntry } from '../audit/audit-log.ts'
import type { SecretsService } from '../secrets/service.ts'
import { ReasonSchema, validateField } from '../secrets/validation.ts'
import { NotGrantedError } from './client-errors.ts'
import type { ClientPrincipal, ClientService, TokenRefusal } from './client.service.ts'
import { notCovered } from './grant.ts'

/** Who asks and why, for one delivery. */
export interface DeliveryRequest {
  principal: ClientPrincipal
  /** The client's `X-Secrets-Reason`. */
  reason: string
  /** The client's network address, as the server adapter gave it. */
  address?: string | undefined
}

const ADDRESS = /^[0-9A-Za-z.:%_-]{1,64}$/

/** The audit columns of the asking side: token id and address (an address of another shape is left out). */
function clientColumns(tokenId: string | undefined, address: string | undefined) {
  return {
    ...(tokenId === undefined ? {} : { token_id: tokenId }),
    ...(address !== undefined && ADDRESS.test(address) ? { client_address: address } : {}),
  }
}

/** The audit accessor of a client: `client:NAME`. */
export const clientAccessor = (name: string) => `client:${name}`
/** The accessor of a refused token whose id no stored token has (`?` is never part of a client name). */
export const UNKNOWN_CLIENT_ACCESSOR = 'client:?'

export interface DeliveryServiceOptions {
  secrets: SecretsService
  clients: ClientService
  now?: () => Date
}

/**
 * Delivery of secrets to clients: the grants are checked for every name
 * before anything is decrypted, then the secrets service resolves them all
 * (every name must exist; one audit row per secret, written before any
 * value is returned). A refusal writes only its own audit rows.
 */
export class DeliveryService {
  readonly #secrets: SecretsService
  readonly #clients: ClientService
  readonly #now: () => Date

  constructor(options: DeliveryServiceOptions) {
    this.#secrets = options.secrets
    this.#clients = options.clients
    this.#now = options.now ?? (() => new Date())
  }

  /**
   * The values of `names` for the client, all or nothing.
   * @throws ValidationError for a bad reason; NotGrantedError listing every
   *   name the grants do not cover (audited, one `read`/`denied` row each,
   *   nothing decrypted); MissingSecretError listing every granted name that
   *   does not exist (nothing decrypted); AuditWriteError.
   */
  async resolve(request: DeliveryRequest, names: readonly string[]): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
    const { principal } = request
    const reason = validateField('reason', ReasonSchema, request.reason)
    const accessor = clientAccessor(principal.client)
    const denied = notCovered(principal.grants, names)
    if (denied.length > 0) {
      const at = this.#now().toISOString()
      const columns = clientColumns(principal.tokenId, request.address)
      await this.#audit(denied.map((name) => ({ secret_name: name, action: 'read', accessor, reason, outcome: 'denied', at, ...columns })))
      throw new NotGrantedError(principal.client, denied)
    }
    const columns = clientColumns(principal.tokenId, request.address)
    const values = await this.#secrets.resolveAll(names, {
      accessor,
      reason,
      tokenId: columns.token_id,
      ...(columns.client_address === undefined ? {} : { clientAddress: columns.client_address }),
    })
    try {
      await this.#clients.recordUse(principal)
    } catch {
      // The last-use time is advisory; the delivery is audited already and must not fail for it.
    }
    return values
  }

  /**
   * Audits a refused token: one `authenticate`/`denied` row naming no
   * secret, with the client and token id only when the id is a stored one
   * (then it is a public id), and the address. Never the token.
   */
  async refuseToken(refusal: {
    why: TokenRefusal | 'misplaced'
    client?: string | undefined
    tokenId?: string | undefined
    address?: string | undefined
  }): Promise<void> {
    await this.#audit([
      {
        secret_name: '',
        action: 'authenticate',
        accessor: refusal.client === undefined ? UNKNOWN_CLIENT_ACCESSOR : clientAccessor(refusal.client),
        reason: `token refused: ${refusal.why}`,
        outcome: 'denied',
        at: this.#now().toISOString(),
        ...clientColumns(refusal.tokenId, refusal.address),
      },
    ])
  }

  /** A refusal's rows, in the next group commit with the reads (AuditBatcher). */
  async #audit(rows: AuditEntry[]): Promise<void> {
    await this.#secrets.auditBatcher.append(rows)
  }
}
