/**
 * The audit chain's arithmetic (chain.ts) for appends, synchronously on Bun
 * with `Bun.CryptoHasher`'s native HMAC-SHA256: neither an awaited WebCrypto
 * `sign` per link (a round trip through the thread pool each: about 1 ms
 * for a render's ten links) nor loading `node:crypto` (about 6 ms:
 * chain-hmac.ts, the server's choice). What a local render appends with
 * (secrets/sqlite-reader.ts). The inputs are chain.ts's `linkInput` and
 * `headInput`; the result is the same hex HMAC-SHA256, checked against the
 * WebCrypto form in test/audit/chain-hasher.test.ts.
 *
 * The chain key's bytes are held by the signer for the life of the process
 * (as chain-hmac.ts's KeyObject holds them): a chain key opens no secret
 * (docs/security.md). The master key stays a non-extractable WebCrypto key.
 */
import { bunGlobal } from '../runtime.ts'
import { type ChainFields, headInput, linkInput } from './chain.ts'
import type { ChainSigner, ChainSignerFactory } from './chain-signer.ts'

/** A signer over `Bun.CryptoHasher` for raw chain key bytes (copied, then zeroed); undefined off Bun. */
export function bunChainSignerFactory(): ChainSignerFactory | undefined {
  const bun = bunGlobal()
  if (!bun) return undefined
  return (raw: Uint8Array<ArrayBuffer>): ChainSigner => {
    const key = raw.slice()
    raw.fill(0)
    const mac = (input: Uint8Array<ArrayBuffer>) => new bun.CryptoHasher('sha256', key).update(input).digest('hex')
    const link = (prev: string, row: ChainFields) => {
      // As chain-hmac.ts: a head whose chain is not 32 bytes of hex is refused, not linked from.
      if (!/^[0-9a-f]{64}$/i.test(prev)) throw new Error('a chain value is 64 hex digits')
      return mac(linkInput(prev, row))
    }
    return { synchronous: true, link, head: (head) => mac(headInput(head)) }
  }
}
