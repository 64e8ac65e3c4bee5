import { ConfigError, UnknownKeyError } from '../errors.ts'
import { encodeHex } from './encoding.ts'
import { KEY_VARIABLE, PREVIOUS_KEYS_VARIABLE, parseMasterKey, parsePreviousKeys } from './master-key.ts'

const KEY_ID_LABEL = new TextEncoder().encode('claude-hooks-secrets key-id v1')

/** One master key, held only as non-extractable WebCrypto keys. */
export interface MasterKey {
  /** 16 lowercase hex characters: the first 8 bytes of HMAC-SHA256(key, label). */
  readonly id: string
  /** AES-256-GCM key for secret values. */
  readonly aes: CryptoKey
  /** HKDF base key, for keys derived from the master key (the audit chain). */
  readonly hkdf: CryptoKey
}

/**
 * Computes the public key id of raw master key bytes: the first 8 bytes of
 * HMAC-SHA256(master key, UTF-8 "claude-hooks-secrets key-id v1"), as hex.
 * It names a key without revealing it.
 */
export async function computeKeyId(raw: Uint8Array<ArrayBuffer>): Promise<string> {
  const hmac = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', hmac, KEY_ID_LABEL))
  return encodeHex(mac.subarray(0, 8))
}

async function importMasterKey(raw: Uint8Array<ArrayBuffer>): Promise<MasterKey> {
  const [id, aes, hkdf] = await Promise.all([
    computeKeyId(raw),
    crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']),
    crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey', 'deriveBits']),
  ])
  return { id, aes, hkdf }
}

/**
 * The configured master keys: the current one (encrypts and decrypts) and any
 * previous ones (decrypt only, until every row is rotated). Keys are imported
 * once, as non-extractable CryptoKeys, and the raw bytes are zeroed after.
 */
export class Keyring {
  readonly current: MasterKey
  readonly #byId: ReadonlyMap<string, MasterKey>

  private constructor(current: MasterKey, previous: MasterKey[]) {
    this.current = current
    const byId = new Map<string, MasterKey>()
    for (const key of [current, ...previous]) if (!byId.has(key.id)) byId.set(key.id, key)
    this.#byId = byId
  }

  /**
   * Builds a keyring from raw key bytes. The arrays are zeroed once imported.
   */
  static async fromRawKeys(current: Uint8Array<ArrayBuffer>, previous: Uint8Array<ArrayBuffer>[] = []): Promise<Keyring> {
    try {
      const [cur, ...prev] = await Promise.all([current, ...previous].map(importMasterKey))
      return new Keyring(cur!, prev)
    } finally {
      current.fill(0)
      for (const p of previous) p.fill(0)
    }
  }

  /**
   * Builds the keyring from `CLAUDE_HOOKS_SECRET_KEY` and the optional
   * `CLAUDE_HOOKS_SECRET_KEY_PREVIOUS`.
   *
   * @throws ConfigError naming the variable (and entry) that is missing or
   *   malformed; the message never contains key material.
   */
  static async fromEnv(env: Readonly<Record<string, string | undefined>>): Promise<Keyring> {
    const current = parseMasterKey(env[KEY_VARIABLE], KEY_VARIABLE)
    let previous: Uint8Array<ArrayBuffer>[]
    try {
      previous = parsePreviousKeys(env[PREVIOUS_KEYS_VARIABLE])
    } catch (e) {
      current.fill(0)
      throw e
    }
    return Keyring.fromRawKeys(current, previous)
  }

  /** Every configured key id, the current one first. */
  get ids(): string[] {
    return [...this.#byId.keys()]
  }

  /** Whether a key with this id is configured. */
  has(id: string): boolean {
    return this.#byId.has(id)
  }

  /**
   * The key with this id.
   * @throws UnknownKeyError when no configured key has it.
   */
  get(id: string): MasterKey {
    const key = this.#byId.get(id)
    if (!key) throw new UnknownKeyError(id)
    return key
  }
}

/** Thrown by start-up when stored rows use key ids that no configured key has. */
export function unknownKeyIdsError(unknown: ReadonlyArray<{ key_id: string; rows: number }>): ConfigError {
  const list = unknown.map((u) => `${u.key_id} (${u.rows} row${u.rows === 1 ? '' : 's'})`).join(', ')
  return new ConfigError(
    `stored secrets are encrypted under key ids no configured master key has: ${list}; ` +
      `set ${KEY_VARIABLE} to the right key, or list the old key in ${PREVIOUS_KEYS_VARIABLE}`,
  )
}
