/**
 * The audit chain's arithmetic (chain.ts) for appends, synchronously over
 * `node:crypto` (Bun, Node and Deno all have it): one link costs about a
 * microsecond here, against 25 us for an awaited WebCrypto `sign`, and a
 * batch of 500 rows no longer waits 500 times. The encoding is chain.ts's
 * `canonicalRow`; the result is the same hex HMAC-SHA256, checked against
 * the WebCrypto form in test/audit/chain-hmac.test.ts. Used by the processes
 * that ask for it (chain-signer.ts: the server), since loading `node:crypto`
 * has a cost of its own.
 *
 * The chain key is held as a `KeyObject`: a chain key opens no secret (it
 * lets its holder forge audit rows, like the master key's holder; see
 * docs/security.md). The master key stays a non-extractable WebCrypto key.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import { type ChainFields, canonicalRow, type HeadFields } from './chain.ts'
import type { ChainSigner } from './chain-signer.ts'

/** A chain key ready for synchronous links. */
export type ChainHmacKey = KeyObject

/** Imports raw chain key bytes for synchronous links, and zeroes the bytes. */
export function importChainHmacKey(raw: Uint8Array<ArrayBuffer>): ChainHmacKey {
  try {
    return createSecretKey(raw)
  } finally {
    raw.fill(0)
  }
}

/** One link: hex HMAC-SHA256(key, prev || canonical(row)), as chain.ts's `chainLink`. */
export function chainLinkNow(key: ChainHmacKey, prevChain: string, row: ChainFields): string {
  const prev = Buffer.from(prevChain, 'hex')
  if (prev.length !== 32 || prevChain.length !== 64) throw new Error('a chain value is 64 hex digits')
  return createHmac('sha256', key).update(prev).update(canonicalRow(row)).digest('hex')
}

/** The head's MAC, as chain.ts's `headMac`. */
export function headMacNow(key: ChainHmacKey, head: HeadFields): string {
  return createHmac('sha256', key)
    .update(JSON.stringify(['head', 1, head.last_id, head.chain, head.row_count, head.chain_key_id]))
    .digest('hex')
}

/** A chain-signer.ts signer over {@link chainLinkNow} (the raw bytes are zeroed). */
export function synchronousChainSigner(raw: Uint8Array<ArrayBuffer>): ChainSigner {
  const key = importChainHmacKey(raw)
  return { synchronous: true, link: (prev, row) => chainLinkNow(key, prev, row), head: (head) => headMacNow(key, head) }
}
