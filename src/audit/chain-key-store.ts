import type { Kysely } from 'kysely'
import type { Keyring } from '../crypto/keyring.ts'
import { DecryptError } from '../errors.ts'
import type { Database } from '../store/schema.ts'
import { type ChainSigner, chainSigner, type ChainSignerFactory, synchronousChainLinks } from './chain-signer.ts'
import {
  type ChainKeyRecord,
  derivedChainKeyBytes,
  importChainKey,
  newChainKey,
  openChainKey,
  sealChainKey,
} from './chain-keys.ts'

/** Every chain key of the log, oldest first. */
export async function loadChainKeys(db: Kysely<Database>): Promise<ChainKeyRecord[]> {
  const rows = await db.selectFrom('audit_chain_key').select(['id', 'seq', 'kind', 'sealed_by', 'sealed']).orderBy('seq').execute()
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }))
}

/** What a chain key resolves to with the configured master keys. */
export type ResolvedChainKey = CryptoKey | 'unavailable' | 'tampered'

/**
 * Turns chain key records into HMAC keys with the configured master keys:
 * a sealed key is opened with the master key that sealed it; a derived key
 * is derived again when its master key is configured. Keys that opened are
 * cached by id (a chain key's bytes never change, only their seal).
 */
export class ChainKeyResolver {
  readonly #keyring: Keyring
  readonly #cache = new Map<string, Promise<CryptoKey>>()
  readonly #signers = new Map<string, ChainSigner>()
  readonly #factory: ChainSignerFactory | undefined

  /** `signers`: how this resolver's signers compute links (chain-hasher.ts); default chain-signer.ts's choice for the process. */
  constructor(keyring: Keyring, signers?: ChainSignerFactory) {
    this.#keyring = keyring
    this.#factory = signers
  }

  /** The key of `record`, `unavailable` when no configured master key opens it, `tampered` when its seal does not open. */
  async resolve(record: ChainKeyRecord): Promise<ResolvedChainKey> {
    const cached = this.#cache.get(record.id)
    if (cached) return cached
    const raw = await this.#raw(record)
    if (typeof raw === 'string') return raw
    const key = importChainKey(raw)
    this.#cache.set(record.id, key)
    return key
  }

  /**
   * The key of `record`, for an append.
   * @throws DecryptError when no configured master key opens it (the message names key ids only).
   */
  async require(record: ChainKeyRecord): Promise<CryptoKey> {
    const key = await this.resolve(record)
    if (typeof key === 'string') {
      throw new DecryptError(
        `the audit chain key ${record.id} is ${key === 'tampered' ? 'damaged' : `sealed under master key ${record.sealed_by}, which is not configured`}`,
      )
    }
    return key
  }

  /**
   * The signer of `record`, for an append (chain-signer.ts): opened once per
   * process and kept by id, like {@link resolve}'s keys.
   * @throws DecryptError when no configured master key opens it.
   */
  async requireSigner(record: ChainKeyRecord): Promise<ChainSigner> {
    const cacheKey = `${this.#factory ? 'own' : synchronousChainLinks() ? 'sync' : 'web'}:${record.id}`
    const cached = this.#signers.get(cacheKey)
    if (cached) return cached
    const raw = await this.#raw(record)
    if (typeof raw === 'string') {
      await this.require(record)
      throw new DecryptError(`the audit chain key ${record.id} does not open`)
    }
    const signer = this.#factory ? this.#factory(raw) : await chainSigner(raw)
    this.#signers.set(cacheKey, signer)
    return signer
  }

  /** The raw bytes of a chain key, or why there are none. */
  async raw(record: ChainKeyRecord): Promise<Uint8Array<ArrayBuffer> | 'unavailable' | 'tampered'> {
    return this.#raw(record)
  }

  async #raw(record: ChainKeyRecord): Promise<Uint8Array<ArrayBuffer> | 'unavailable' | 'tampered'> {
    if (record.kind === 'derived' && this.#keyring.has(record.id)) return derivedChainKeyBytes(this.#keyring.get(record.id))
    if (record.sealed === null || record.sealed_by === null || !this.#keyring.has(record.sealed_by)) return 'unavailable'
    try {
      return await openChainKey(this.#keyring.get(record.sealed_by), record)
    } catch (e) {
      if (e instanceof DecryptError) return 'tampered'
      throw e
    }
  }
}

/**
 * Re-seals every chain key this keyring can open under the current master
 * key, inside `trx` (which holds the head's lock). Returns the ids it could
 * not open.
 */
export async function resealChainKeys(trx: Kysely<Database>, keyring: Keyring, resolver: ChainKeyResolver): Promise<string[]> {
  const current = keyring.current
  const unopened: string[] = []
  for (const record of await loadChainKeys(trx)) {
    if (record.sealed_by === current.id) continue
    const raw = await resolver.raw(record)
    if (typeof raw === 'string') {
      unopened.push(record.id)
      continue
    }
    const seal = await sealChainKey(current, record, raw)
    raw.fill(0)
    await trx.updateTable('audit_chain_key').set(seal).where('id', '=', record.id).execute()
  }
  return unopened
}

/**
 * Starts a new random chain key, newest in the order, sealed under the
 * current master key, inside `trx` (which holds the head's lock).
 */
export async function startChainKey(trx: Kysely<Database>, keyring: Keyring, now: string): Promise<ChainKeyRecord> {
  const last = await trx.selectFrom('audit_chain_key').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst()
  const seq = Number(last?.seq ?? 0) + 1
  const { id, raw } = await newChainKey()
  const seal = await sealChainKey(keyring.current, { id, seq, kind: 'random' }, raw)
  raw.fill(0)
  const record: ChainKeyRecord = { id, seq, kind: 'random', ...seal }
  await trx.insertInto('audit_chain_key').values({ ...record, created_at: now }).execute()
  return record
}
