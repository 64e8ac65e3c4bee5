/**
 * Operator password hashing with scrypt from `node:crypto` (the same code on
 * Bun and Node). Hashes are PHC strings that carry their own parameters:
 *
 *   $scrypt$ln=17,r=8,p=1$<salt, base64 without padding>$<hash, base64 without padding>
 *
 * so the defaults can be raised later without breaking stored hashes.
 * docs/operators.md explains the choice of parameters.
 */
import { randomBytes, scrypt } from 'node:crypto'
import { constantTimeEqual } from '../crypto/constant-time.ts'
import { decodeBase64Loose, encodeBase64Unpadded } from '../crypto/encoding.ts'
import { Semaphore } from './semaphore.ts'

/** scrypt cost parameters: N = 2^ln, block size r, parallelism p. */
export interface ScryptParams {
  readonly ln: number
  readonly r: number
  readonly p: number
}

/**
 * N = 2^17, r = 8, p = 1: the OWASP Password Storage Cheat Sheet minimum for
 * scrypt. 128 MiB and about 0.25 s per hash on a 2-core machine.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = Object.freeze({ ln: 17, r: 8, p: 1 })

/** Random salt per hash. */
export const SALT_BYTES = 16
/** Derived key length. */
export const HASH_BYTES = 32

// Bounds on parameters read back from the database: a tampered row must not
// make one login allocate gigabytes or run for minutes. At most 256 MiB
// (128 * N * r bytes) and four times the default work (N * r * p).
const MAX_MEMORY_BYTES = 256 * 1024 * 1024
const MAX_WORK = 4 * 2 ** 17 * 8

// Two hashes at once: the machine has two cores, and each hash holds
// 128 * N * r bytes (128 MiB by default). Further logins queue.
const hashing = new Semaphore(2)

// Salt of any length this module could have written (the RFC 7914 vectors use
// 4 bytes), hash of 16 to 64 bytes.
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{2,88})\$([A-Za-z0-9+/]{22,86})$/

const encoder = new TextEncoder()

const b64 = encodeBase64Unpadded

function checkParams(params: ScryptParams): boolean {
  const { ln, r, p } = params
  if (![ln, r, p].every(Number.isInteger) || ln < 1 || ln > 24 || r < 1 || p < 1) return false
  return 128 * 2 ** ln * r <= MAX_MEMORY_BYTES && 2 ** ln * r * p <= MAX_WORK
}

/**
 * The bytes that get hashed: the password in Unicode NFKC (NIST SP 800-63B
 * 5.1.1.2), so the same password typed on two keyboards matches, as UTF-8.
 */
function passwordBytes(password: string): Uint8Array {
  return encoder.encode(password.normalize('NFKC'))
}

function derive(password: Uint8Array, salt: Uint8Array, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.ln
  return hashing.run(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        // maxmem must exceed 128 * N * r; node's default (32 MiB) is below the default cost.
        const maxmem = 2 * 128 * N * params.r + 1024 * 1024
        scrypt(password, salt, length, { N, r: params.r, p: params.p, maxmem }, (error, key) =>
          error ? reject(error) : resolve(key),
        )
      }),
  )
}

/**
 * Hashes a password with a fresh random salt.
 * @returns the PHC string to store.
 * @throws Error for parameters outside the accepted bounds (a configuration bug).
 */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  if (!checkParams(params)) throw new Error('scrypt parameters out of bounds')
  const salt = randomBytes(SALT_BYTES)
  const hash = await derive(passwordBytes(password), salt, params, HASH_BYTES)
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`
}

/** A parsed PHC string, or undefined when it is not one this module wrote. */
export function parsePasswordHash(encoded: string): { params: ScryptParams; salt: Uint8Array; hash: Uint8Array } | undefined {
  const m = PHC.exec(encoded)
  if (!m) return undefined
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) }
  if (!checkParams(params)) return undefined
  const salt = decodeBase64Loose(m[4]!)
  const hash = decodeBase64Loose(m[5]!)
  return salt && hash ? { params, salt, hash } : undefined
}

/**
 * Whether `password` matches the stored PHC string. The derived key is
 * compared in constant time. A malformed stored string never matches.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parsePasswordHash(encoded)
  if (!parsed) return false
  const derived = await derive(passwordBytes(password), parsed.salt, parsed.params, parsed.hash.length)
  return constantTimeEqual(derived, parsed.hash)
}
