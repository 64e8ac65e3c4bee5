import { describe, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { chainLink, GENESIS_CHAIN, headMac } from '../../src/audit/chain.ts'
import { chainLinkNow, headMacNow, importChainHmacKey, synchronousChainSigner } from '../../src/audit/chain-hmac.ts'
import { chainSigner, synchronousChainLinks, useSynchronousChainLinks } from '../../src/audit/chain-signer.ts'
import { importChainKey } from '../../src/audit/chain-keys.ts'
import { CHAIN_TEST_ROWS as rows } from '../helpers/chain-rows.ts'

describe('synchronous chain arithmetic (chain-hmac.ts)', () => {
  test('every row encoding links to the same value as the WebCrypto form and an independent HMAC', async () => {
    const raw = crypto.getRandomValues(new Uint8Array(32))
    const copy = new Uint8Array(raw)
    const web = await importChainKey(new Uint8Array(raw))
    const now = importChainHmacKey(new Uint8Array(raw))
    let prevWeb = GENESIS_CHAIN
    let prevNow = GENESIS_CHAIN
    for (const row of rows) {
      prevWeb = await chainLink(web, prevWeb, row)
      const expected = createHmac('sha256', copy).update(Buffer.from(prevNow, 'hex')).update(JSON.stringify(canonicalArray(row))).digest('hex')
      prevNow = chainLinkNow(now, prevNow, row)
      expect(prevNow).toBe(prevWeb)
      expect(prevNow).toBe(expected)
    }
    const head = { last_id: 4, chain: prevNow, row_count: 4, chain_key_id: 'k1' }
    expect(headMacNow(now, head)).toBe(await headMac(web, head))
  })

  test('a process signs by WebCrypto until it asks for synchronous links; both sign the same', async () => {
    const raw = crypto.getRandomValues(new Uint8Array(32))
    const before = synchronousChainLinks()
    const web = before ? undefined : await chainSigner(new Uint8Array(raw))
    if (web) expect(web.synchronous).toBe(false)
    useSynchronousChainLinks(synchronousChainSigner)
    const sync = await chainSigner(new Uint8Array(raw))
    expect(sync.synchronous).toBe(true)
    const reference = await (await import('../../src/audit/chain-keys.ts')).importChainKey(new Uint8Array(raw))
    for (const row of rows) {
      const expected = await chainLink(reference, GENESIS_CHAIN, row)
      expect(sync.link(GENESIS_CHAIN, row)).toBe(expected)
      if (web) expect(await web.link(GENESIS_CHAIN, row)).toBe(expected)
    }
  })

  test('importing zeroes the raw bytes', () => {
    const raw = crypto.getRandomValues(new Uint8Array(32))
    importChainHmacKey(raw)
    expect([...raw].every((b) => b === 0)).toBe(true)
  })

  test('a previous chain value that is not 64 hex digits is refused, not linked', () => {
    const key = importChainHmacKey(crypto.getRandomValues(new Uint8Array(32)))
    expect(() => chainLinkNow(key, 'zz'.repeat(32), rows[0]!)).toThrow('64 hex digits')
    expect(() => chainLinkNow(key, 'ab', rows[0]!)).toThrow('64 hex digits')
  })
})

/** chain.ts's documented encodings, written out again. */
function canonicalArray(r: (typeof rows)[number] & Record<string, unknown>): unknown[] {
  const v1 = [r.id, r.secret_name, r.action, r.accessor, r.reason, r.outcome, r.at, r.chain_key_id]
  if (r.version != null) return [4, ...v1, r.label ?? null, r.token_id ?? null, r.client_address ?? null, r.version, r.ciphertext_sha256 ?? null]
  if (r.token_id != null) return [3, ...v1, r.label ?? null, r.token_id, r.client_address ?? null]
  return r.label == null ? [1, ...v1] : [2, ...v1, r.label]
}
