/**
 * The secret rows checked against the audit chain (migration 0010): every
 * mutation's audit row records the version it wrote and the SHA-256 of the
 * ciphertext, so the log says what each secret's current row and each kept
 * version must hold. A row it does not account for was written around the
 * service: an older ciphertext put back (it decrypts: same name, and for
 * rows of format 1 no version in the additional data), a row copied from
 * another secret or another version, a deleted secret restored, a pruned
 * version brought back or a kept one removed.
 *
 * Run after the chain verified: the audit rows it reads are authentic then.
 */
import type { Kysely } from 'kysely'
import { ciphertextSha256 } from '../crypto/aes-gcm.ts'
import type { Database } from '../store/schema.ts'
import { pageVersions } from '../store/secret-version.repository.ts'
import { toBytes } from '../store/secret.repository.ts'

/** What the audit log says one secret holds. */
interface Expected {
  /** The version its last audited write made current. */
  current: number
  deleted: boolean
  /** Hex SHA-256 of the ciphertext last written for each version still there (current and kept). */
  hashes: Map<number, string>
  /** The id of the last audit row about it. */
  lastId: number
}

/** A secret row the log does not account for. */
export interface SecretRowProblem {
  secret: string
  version: number | undefined
  /** The last audit row about that secret (0: none). */
  id: number
  detail: string
}

const PAGE = 2000
// How many problems a result names.
const NAMED = 10

/** Replays the versioned audit rows (oldest first) into what each secret must hold. */
async function expectedState(db: Kysely<Database>): Promise<Map<string, Expected>> {
  const state = new Map<string, Expected>()
  let after = 0
  for (;;) {
    const rows = await db
      .selectFrom('secret_access_log')
      .select(['id', 'secret_name', 'action', 'version', 'ciphertext_sha256'])
      .where('id', '>', after)
      .where('version', 'is not', null)
      .where('outcome', '=', 'ok')
      .orderBy('id')
      .limit(PAGE)
      .execute()
    for (const row of rows) {
      const id = Number(row.id)
      const version = Number(row.version)
      let s = state.get(row.secret_name)
      if (row.action === 'create' || !s) {
        s = { current: 0, deleted: false, hashes: new Map(), lastId: id }
        state.set(row.secret_name, s)
      }
      s.lastId = id
      switch (row.action) {
        case 'create':
        case 'replace':
        case 'rotate':
        case 'rollback':
        case 'baseline':
          s.current = Math.max(s.current, version)
          s.deleted = false
          if (row.ciphertext_sha256) s.hashes.set(version, row.ciphertext_sha256)
          break
        case 'reseal':
          if (row.ciphertext_sha256) s.hashes.set(version, row.ciphertext_sha256)
          break
        case 'prune':
          s.hashes.delete(version)
          break
        case 'delete':
          s.deleted = true
          s.hashes.clear()
          break
        default:
          // `describe` and the rest vouch for no ciphertext.
          break
      }
    }
    if (rows.length < PAGE) return state
    after = Number(rows.at(-1)!.id)
  }
}

/**
 * Checks every secret row and every kept version against the audit log.
 * @returns the problems found (at most NAMED, first by name) and how many there were in all.
 */
export async function verifySecretRows(db: Kysely<Database>): Promise<{ problems: SecretRowProblem[]; total: number }> {
  const state = await expectedState(db)
  const problems: SecretRowProblem[] = []
  let total = 0
  const report = (p: SecretRowProblem) => {
    total++
    if (problems.length < NAMED) problems.push(p)
  }
  const seenKept = new Map<string, Set<number>>()
  const seenSecrets = new Set<string>()

  let afterName: string | undefined
  for (;;) {
    let query = db.selectFrom('secret').select(['name', 'version', 'ciphertext']).orderBy('name').limit(PAGE)
    if (afterName !== undefined) query = query.where('name', '>', afterName)
    const rows = await query.execute()
    for (const row of rows) {
      seenSecrets.add(row.name)
      const version = Number(row.version)
      const s = state.get(row.name)
      if (!s || s.deleted) {
        report({
          secret: row.name,
          version,
          id: s?.lastId ?? 0,
          detail: `secret ${row.name} (version ${version}): no audited mutation wrote this row (${s ? 'the log says it was deleted' : 'the log has no mutation of it'})`,
        })
        continue
      }
      if (version !== s.current) {
        report({
          secret: row.name,
          version,
          id: s.lastId,
          detail: `secret ${row.name} holds version ${version}, but its last audited mutation wrote version ${s.current} (an older row put back?)`,
        })
        continue
      }
      if ((await ciphertextSha256(toBytes(row.ciphertext))) !== s.hashes.get(version)) {
        report({
          secret: row.name,
          version,
          id: s.lastId,
          detail: `secret ${row.name} (version ${version}) does not hold the ciphertext its last audited mutation wrote: an older ciphertext restored, or one copied from another row`,
        })
      }
    }
    if (rows.length < PAGE) break
    afterName = rows.at(-1)!.name
  }

  let afterVersion: { name: string; version: number } | undefined
  for (;;) {
    const rows = await pageVersions(db, afterVersion, PAGE)
    for (const row of rows) {
      const s = state.get(row.name)
      const where = `kept version ${row.version} of secret ${row.name}`
      let seen = seenKept.get(row.name)
      if (!seen) seenKept.set(row.name, (seen = new Set()))
      seen.add(row.version)
      if (!s || s.deleted || row.version >= s.current || !s.hashes.has(row.version)) {
        report({
          secret: row.name,
          version: row.version,
          id: s?.lastId ?? 0,
          detail: `${where}: no audited mutation kept it (${!s || s.deleted ? 'the secret was deleted or never written' : row.version >= s.current ? 'it is not older than the current version' : 'it was pruned'})`,
        })
      } else if ((await ciphertextSha256(row.ciphertext)) !== s.hashes.get(row.version)) {
        report({
          secret: row.name,
          version: row.version,
          id: s.lastId,
          detail: `${where} does not hold the ciphertext written for it: an older ciphertext restored, or one copied from another row`,
        })
      }
    }
    if (rows.length < PAGE) break
    const last = rows.at(-1)!
    afterVersion = { name: last.name, version: last.version }
  }

  // Kept versions the log says are there and the table lacks: removed around the service.
  for (const [name, s] of [...state].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (s.deleted) continue
    if (!seenSecrets.has(name)) {
      report({ secret: name, version: s.current, id: s.lastId, detail: `secret ${name} is missing: no audited mutation deleted it` })
      continue
    }
    for (const version of [...s.hashes.keys()].sort((a, b) => a - b)) {
      if (version >= s.current || seenKept.get(name)?.has(version)) continue
      report({ secret: name, version, id: s.lastId, detail: `kept version ${version} of secret ${name} is missing: no audited mutation removed it` })
    }
  }
  return { problems, total }
}
