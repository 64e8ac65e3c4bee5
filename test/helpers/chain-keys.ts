import { sql, type Kysely } from 'kysely'
import { createDecipheriv, createHmac } from 'node:crypto'
import type { AccessLogRow, Database } from '../../src/store/schema.ts'
import { rawKey } from './keys.ts'

/**
 * The raw bytes of an audit chain key, opened with node:crypto from the
 * documented format alone (src/audit/chain-keys.ts): base64(iv || ciphertext
 * || tag), AES-256-GCM under the master key, additional data
 * `claude-hooks-secrets audit-chain-key:v1:<id>:<seq>:<kind>`.
 */
export async function openChainKeyIndependently(db: Kysely<Database>, id: string, masterB64: string): Promise<Buffer> {
  const r = await db.selectFrom('audit_chain_key').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const bytes = Buffer.from(r.sealed!, 'base64')
  const decipher = createDecipheriv('aes-256-gcm', rawKey(masterB64), bytes.subarray(0, 12))
  decipher.setAAD(Buffer.from(`claude-hooks-secrets audit-chain-key:v1:${r.id}:${Number(r.seq)}:${r.kind}`))
  decipher.setAuthTag(bytes.subarray(12 + 32))
  return Buffer.concat([decipher.update(bytes.subarray(12, 12 + 32)), decipher.final()])
}

/** The head's MAC as the documented format defines it, by node:crypto. */
export function headMacIndependently(key: Buffer, head: { last_id: number; chain: string; row_count: number; chain_key_id: string }): string {
  return createHmac('sha256', key).update(JSON.stringify(['head', 1, head.last_id, head.chain, head.row_count, head.chain_key_id])).digest('hex')
}

/**
 * What someone holding the master key and write access can do: cut the log
 * after row `keep` and write a head that authenticates the shorter log.
 */
export async function truncateWithKey(db: Kysely<Database>, masterB64: string, keep: number): Promise<void> {
  const head = await db.selectFrom('audit_chain_head').selectAll().executeTakeFirstOrThrow()
  const record = JSON.parse(head.chain_key!) as { id: string }
  const key = await openChainKeyIndependently(db, record.id, masterB64)
  await sql`DELETE FROM secret_access_log WHERE id > ${keep}`.execute(db)
  const last = await db.selectFrom('secret_access_log').select('chain').where('id', '=', keep).executeTakeFirstOrThrow()
  const fields = { last_id: keep, chain: last.chain!, row_count: keep, chain_key_id: record.id }
  await db
    .updateTable('audit_chain_head')
    .set({ last_id: keep, chain: last.chain!, row_count: keep, mac: headMacIndependently(key, fields) })
    .execute()
}

/**
 * What someone holding the master key can do: rewrite row `id`'s reason and
 * re-chain every row from it on, and re-authenticate the head.
 */
export async function rewriteWithKey(db: Kysely<Database>, masterB64: string, id: number, reason: string): Promise<void> {
  const head = await db.selectFrom('audit_chain_head').selectAll().executeTakeFirstOrThrow()
  const record = JSON.parse(head.chain_key!) as { id: string }
  const key = await openChainKeyIndependently(db, record.id, masterB64)
  const rows = await db.selectFrom('secret_access_log').selectAll().orderBy('id').execute()
  let prev = Buffer.alloc(32)
  for (const r of rows) {
    const row = { ...r, id: Number(r.id), reason: Number(r.id) === id ? reason : r.reason }
    if (row.id >= id) {
      const canonical = canonicalIndependently(row)
      const link = createHmac('sha256', key).update(prev).update(canonical).digest('hex')
      await db.updateTable('secret_access_log').set({ reason: row.reason, chain: link }).where('id', '=', row.id).execute()
      row.chain = link
    }
    prev = Buffer.from(row.chain!, 'hex')
  }
  const fields = { last_id: Number(head.last_id), chain: prev.toString('hex'), row_count: Number(head.row_count), chain_key_id: record.id }
  await db.updateTable('audit_chain_head').set({ chain: fields.chain, mac: headMacIndependently(key, fields) }).execute()
}

/** The canonical row of src/audit/chain.ts (encodings 1 to 4), written again from docs/security.md. */
export function canonicalIndependently(r: Omit<AccessLogRow, 'id' | 'chain' | 'action' | 'outcome'> & { id: number | string; action: string; outcome: string }): string {
  const v1 = [Number(r.id), r.secret_name, r.action, r.accessor, r.reason, r.outcome, r.at, r.chain_key_id]
  if (r.version !== null || r.ciphertext_sha256 !== null) {
    return JSON.stringify([4, ...v1, r.label, r.token_id, r.client_address, r.version, r.ciphertext_sha256])
  }
  if (r.token_id !== null || r.client_address !== null) return JSON.stringify([3, ...v1, r.label, r.token_id, r.client_address])
  return JSON.stringify(r.label === null ? [1, ...v1] : [2, ...v1, r.label])
}
