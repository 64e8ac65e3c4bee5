/**
 * The upgrade to versions (migration 0010): the secrets a store holds at the
 * upgrade were written before audit rows recorded versions and ciphertext
 * hashes, so `secrets audit verify` has nothing to check them against. The
 * first command that runs with the master key after the upgrade appends one
 * `baseline` row per secret (version 1 and the hash of the ciphertext as
 * found) and marks the head, in one transaction. Trust on first use, as for
 * the chain keys of 0006: what is in the store at the upgrade is what the
 * log vouches for from then on.
 */
import { ciphertextSha256 } from '../crypto/aes-gcm.ts'
import { dialectOf } from '../store/dialect.ts'
import { type Queryable, rawRows } from '../store/raw-query.ts'
import { toBytes } from '../store/secret.repository.ts'
import { writeTransaction } from '../store/transaction.ts'
import { auditEntry } from './audit-entry.ts'
import type { Actor, ServiceDeps } from './types.ts'

/** Who writes the baseline rows: the upgrade itself, not a person. */
export const BASELINE_ACTOR: Actor = { accessor: 'system:upgrade', reason: 'versions introduced (migration 0010): the secret row as found' }

/** Whether the store still needs its baseline rows (a raw query: a local render checks it without Kysely, sqlite-reader.ts). */
export async function baselinePending(db: Queryable): Promise<boolean> {
  const [head] = await rawRows<{ versions_baseline: number | string }>(db, 'select "versions_baseline" from "audit_chain_head" where "id" = 1', [])
  return head !== undefined && Number(head.versions_baseline) !== 1
}

/**
 * Writes the baseline rows if the store still needs them (one query when it
 * does not). Locks the secret rows first and appends to the chain last,
 * like every writer; two processes doing it at once write the same rows
 * twice at worst, which verify reads the same way.
 * @returns how many baseline rows it wrote.
 */
export async function baselineVersions(deps: ServiceDeps): Promise<number> {
  if (!(await baselinePending(deps.db))) return 0
  return writeTransaction(deps.db, async (trx) => {
    const query = trx.selectFrom('secret').select(['name', 'version', 'ciphertext']).orderBy('name')
    const rows = await (dialectOf(trx) === 'postgres' ? query.forUpdate() : query).execute()
    if (!(await baselinePending(trx))) return 0
    const at = deps.now().toISOString()
    const entries = []
    for (const row of rows) {
      const sha256 = await ciphertextSha256(toBytes(row.ciphertext))
      entries.push(auditEntry(row.name, 'baseline', BASELINE_ACTOR, 'ok', at, { version: Number(row.version), sha256 }))
    }
    await deps.auditLog.append(trx, entries)
    await trx.updateTable('audit_chain_head').set({ versions_baseline: 1 }).where('id', '=', 1).execute()
    return entries.length
  })
}
