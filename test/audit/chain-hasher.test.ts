import { describe, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { bunChainSignerFactory } from '../../src/audit/chain-hasher.ts'
import { chainLink, GENESIS_CHAIN, headMac } from '../../src/audit/chain.ts'
import { importChainKey } from '../../src/audit/chain-keys.ts'
import { CHAIN_TEST_ROWS as rows } from '../helpers/chain-rows.ts'

describe("synchronous chain arithmetic on Bun's native HMAC (chain-hasher.ts)", () => {
  test('every row encoding links to the same value as the WebCrypto form; the head MAC too', async () => {
    const raw = crypto.getRandomValues(new Uint8Array(32))
    const web = await importChainKey(new Uint8Array(raw))
    const signer = bunChainSignerFactory()!(new Uint8Array(raw))
    expect(signer.synchronous).toBe(true)
    let prevWeb = GENESIS_CHAIN
    let prevBun = GENESIS_CHAIN
    for (const row of rows) {
      prevWeb = await chainLink(web, prevWeb, row)
      prevBun = signer.link(prevBun, row) as string
      expect(prevBun).toBe(prevWeb)
    }
    const head = { last_id: 4, chain: prevBun, row_count: 4, chain_key_id: 'k1' }
    expect(signer.head(head)).toBe(await headMac(web, head))
    // Against node:crypto's HMAC of the same head bytes, independently of chain.ts's WebCrypto form.
    expect(signer.head(head)).toBe(createHmac('sha256', raw).update(JSON.stringify(['head', 1, 4, prevBun, 4, 'k1'])).digest('hex'))
  })

  test('the raw bytes given are zeroed; the signer keeps signing with its copy', async () => {
    const raw = crypto.getRandomValues(new Uint8Array(32))
    const web = await importChainKey(new Uint8Array(raw))
    const signer = bunChainSignerFactory()!(raw)
    expect([...raw].every((b) => b === 0)).toBe(true)
    expect(signer.link(GENESIS_CHAIN, rows[0]!)).toBe(await chainLink(web, GENESIS_CHAIN, rows[0]!))
  })

  test('a previous chain value that is not 64 hex digits is refused, not linked', () => {
    const signer = bunChainSignerFactory()!(crypto.getRandomValues(new Uint8Array(32)))
    expect(() => signer.link('zz'.repeat(32), rows[0]!)).toThrow('64 hex digits')
    expect(() => signer.link('ab', rows[0]!)).toThrow('64 hex digits')
  })
})
