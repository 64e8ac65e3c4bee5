import type { AuditEntry } from '../audit/audit-log.ts'
import type { AuditAction, AuditOutcome } from '../store/schema.ts'
import type { Actor } from './types.ts'
import { AccessorSchema, ClientAddressSchema, LabelSchema, ReasonSchema, TokenIdSchema, validateField } from './validation.ts'

/**
 * The actor, validated: every audited operation calls this before it touches
 * anything, so a bad accessor or reason writes nothing.
 * @throws ValidationError naming `accessor` or `reason`.
 */
export function checkActor(actor: Actor): Actor {
  return {
    accessor: validateField('accessor', AccessorSchema, actor?.accessor),
    reason: validateField('reason', ReasonSchema, actor?.reason),
    ...(actor?.label === undefined ? {} : { label: validateField('label', LabelSchema, actor.label) }),
    ...(actor?.tokenId === undefined ? {} : { tokenId: validateField('tokenId', TokenIdSchema, actor.tokenId) }),
    ...(actor?.clientAddress === undefined ? {} : { clientAddress: validateField('clientAddress', ClientAddressSchema, actor.clientAddress) }),
  }
}

/** The one place an audit entry is built from an operation and its (checked) actor. */
export function auditEntry(
  name: string,
  action: AuditAction,
  actor: Actor,
  outcome: AuditOutcome,
  at: string,
  written?: VersionWritten,
): AuditEntry {
  return {
    secret_name: name,
    action,
    accessor: actor.accessor,
    label: actor.label ?? null,
    // Only on clients' rows, so every other row keeps its older chain encoding.
    ...(actor.tokenId === undefined ? {} : { token_id: actor.tokenId }),
    ...(actor.clientAddress === undefined ? {} : { client_address: actor.clientAddress }),
    reason: actor.reason,
    outcome,
    at,
    // Only on mutations of a secret (0010), so every other row keeps its older chain encoding.
    ...(written === undefined ? {} : { version: written.version, ciphertext_sha256: written.sha256 ?? null }),
  }
}

/** What a mutation's audit row says it did: the version, and the SHA-256 of the ciphertext it wrote (none for removals and descriptions). */
export interface VersionWritten {
  version: number
  sha256?: string | undefined
}
