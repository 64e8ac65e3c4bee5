import { ConfigError } from '../errors.ts'
import { decodeBase64Strict, encodeBase64 } from './encoding.ts'

/** Length of a master key in bytes (AES-256). */
export const MASTER_KEY_BYTES = 32

/** The environment variable that holds the current master key. */
export const KEY_VARIABLE = 'CLAUDE_HOOKS_SECRET_KEY'

/** The environment variable that holds older master keys, comma-separated. */
export const PREVIOUS_KEYS_VARIABLE = 'CLAUDE_HOOKS_SECRET_KEY_PREVIOUS'

const HOW_TO_MAKE = 'make one with `openssl rand -base64 32` or `npx secrets keygen`'

/**
 * Decodes one master key: standard base64 of exactly 32 bytes.
 *
 * @param where names the key in the error message (the variable, and for
 *   previous keys the entry's position); the key text itself is never quoted.
 * @throws ConfigError when the text is empty, has blanks or a line break
 *   around it, is not standard base64, or decodes to another length.
 */
export function parseMasterKey(text: string | undefined, where: string): Uint8Array<ArrayBuffer> {
  if (text === undefined || text.trim() === '') {
    throw new ConfigError(`${where} is not set: it must hold a base64-encoded 32-byte key; ${HOW_TO_MAKE}`)
  }
  // Exactly the key: blanks around it mean a copy went wrong (a file's trailing newline is key-sources.ts's to drop).
  if (text !== text.trim()) {
    throw new ConfigError(`${where} has blanks or a line break around the key: it must hold the base64-encoded 32-byte key alone; ${HOW_TO_MAKE}`)
  }
  const bytes = decodeBase64Strict(text)
  if (bytes === undefined) {
    throw new ConfigError(`${where} is not valid standard base64: it must hold a base64-encoded 32-byte key; ${HOW_TO_MAKE}`)
  }
  if (bytes.length !== MASTER_KEY_BYTES) {
    const length = bytes.length
    bytes.fill(0)
    throw new ConfigError(
      `${where} decodes to ${length} bytes, not ${MASTER_KEY_BYTES}: it must hold a base64-encoded 32-byte key; ${HOW_TO_MAKE}`,
    )
  }
  return bytes
}

/**
 * Decodes the comma-separated previous keys. Empty entries (a trailing comma)
 * are refused too: a half-edited list is a mistake worth hearing about.
 *
 * @param where names the source in error messages (the variable, its file, or the credential).
 * @throws ConfigError naming the bad entry by its 1-based position.
 */
export function parsePreviousKeys(text: string | undefined, where: string = PREVIOUS_KEYS_VARIABLE): Uint8Array<ArrayBuffer>[] {
  if (text === undefined || text.trim() === '') return []
  const entries = text.split(',')
  const keys: Uint8Array<ArrayBuffer>[] = []
  try {
    for (const [i, entry] of entries.entries()) keys.push(parseMasterKey(entry, `${where} entry ${i + 1} of ${entries.length}`))
  } catch (e) {
    for (const k of keys) k.fill(0)
    throw e
  }
  return keys
}

/** A fresh random master key, base64-encoded (what `secrets keygen` prints). */
export function generateMasterKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(MASTER_KEY_BYTES))
  const text = encodeBase64(bytes)
  bytes.fill(0)
  return text
}
