/**
 * Who computes the chain's links for an append: WebCrypto (chain.ts,
 * awaited) unless the process asked for the synchronous form
 * (chain-hmac.ts, over `node:crypto`). Both give the same values
 * (test/audit/chain-hmac.test.ts). The choice is the process's: the server
 * appends batches of hundreds of rows and already loads `node:crypto`
 * (sessions, tokens), so it asks for the synchronous form (src/http/app.ts);
 * a CLI render appends ten rows once and would pay more to load
 * `node:crypto` (about 6 ms on Bun) than ten awaited links cost it.
 */
import { type ChainFields, chainLink, type HeadFields, headMac } from './chain.ts'
import { importChainKey } from './chain-keys.ts'

/** Links and head MACs under one chain key. */
export interface ChainSigner {
  /** Whether the links are computed synchronously (chain-hmac.ts). */
  readonly synchronous: boolean
  link(prevChain: string, row: ChainFields): string | Promise<string>
  head(head: HeadFields): string | Promise<string>
}

/** Builds a signer from raw chain key bytes, zeroing them. */
export type ChainSignerFactory = (raw: Uint8Array<ArrayBuffer>) => ChainSigner

let synchronous: ChainSignerFactory | undefined

/** Makes this process's appends compute links with `factory` (chain-hmac.ts's `synchronousChainSigner`). */
export function useSynchronousChainLinks(factory: ChainSignerFactory): void {
  synchronous = factory
}

/** Whether {@link useSynchronousChainLinks} was called. */
export function synchronousChainLinks(): boolean {
  return synchronous !== undefined
}

/** A signer for raw chain key bytes (zeroed): the synchronous one when the process asked for it, WebCrypto otherwise. */
export async function chainSigner(raw: Uint8Array<ArrayBuffer>): Promise<ChainSigner> {
  if (synchronous) return synchronous(raw)
  const key = await importChainKey(raw)
  return { synchronous: false, link: (prev, row) => chainLink(key, prev, row), head: (head) => headMac(key, head) }
}
