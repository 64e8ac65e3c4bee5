/**
 * The core on Deno, unchanged: the crypto layer, the audit chain arithmetic
 * and the placeholder renderer import nothing runtime-specific. Run by
 * `npm test` as
 *
 *   deno test --no-config --no-prompt test/deno/core.deno.ts
 *
 * (not a bun test file: its name has no `.test.`). No permissions are granted.
 */
import { decryptValue, encryptValue, gcmOpen, gcmSeal } from '../../src/crypto/aes-gcm.ts'
import { computeKeyId, Keyring } from '../../src/crypto/keyring.ts'
import { chainLink, GENESIS_CHAIN } from '../../src/audit/chain.ts'
import { DecryptError, MalformedPlaceholderError, MissingSecretError } from '../../src/errors.ts'
import { escapeJson, quoteShell } from '../../src/render/filters.ts'
import { renderStream, renderString } from '../../src/render/render.ts'

declare const Deno: { test(name: string, fn: () => Promise<void> | void): void }

function hex(s: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)))
}
function toHex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
}
function assertEquals(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual)
  const e = JSON.stringify(expected)
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`)
}
async function assertRejects(p: Promise<unknown>, type: new (...a: never[]) => Error, what: string): Promise<Error> {
  try {
    await p
  } catch (e) {
    if (e instanceof type) return e
    throw new Error(`${what}: expected ${type.name}, got ${e}`)
  }
  throw new Error(`${what}: expected ${type.name}, nothing was thrown`)
}

const enc = new TextEncoder()

Deno.test('AES-256-GCM: NIST CAVP gcmDecrypt256 count 0 (with additional data)', async () => {
  const key = await crypto.subtle.importKey('raw', hex('54e352ea1d84bfe64a1011096111fbe7668ad2203d902a01458c3bbd85bfce14'), 'AES-GCM', false, ['encrypt', 'decrypt'])
  const { ciphertext, tag } = await gcmSeal(key, hex('df7c3bca00396d0c018495d9'), hex('7e968d71b50c1f11fd001f3fef49d045'), hex('85fc3dfad9b5a8d3258e4fc44571bd3b'))
  assertEquals(toHex(ciphertext), '426e0efc693b7be1f3018db7ddbb7e4d', 'ciphertext')
  assertEquals(toHex(tag), 'ee8257795be6a1164d7e1d2d6cac77a7', 'tag')
  const flipped = tag.slice()
  flipped[0]! ^= 1
  await assertRejects(gcmOpen(key, hex('df7c3bca00396d0c018495d9'), hex('7e968d71b50c1f11fd001f3fef49d045'), ciphertext, flipped), DecryptError, 'flipped tag')
})

Deno.test('keyring: key id of the all-zero key, round trip, refusal of another name', async () => {
  assertEquals(await computeKeyId(new Uint8Array(32)), '46af32b0815bc6fc', 'key id')
  const ring = await Keyring.fromRawKeys(crypto.getRandomValues(new Uint8Array(32)))
  const sealed = await encryptValue(ring, enc.encode('deno-value'), 'DENO_TOKEN')
  assertEquals(new TextDecoder().decode(await decryptValue(ring, sealed, 'DENO_TOKEN')), 'deno-value', 'round trip')
  await assertRejects(decryptValue(ring, sealed, 'OTHER'), DecryptError, 'moved ciphertext')
})

Deno.test('audit chain: a link is a 64-hex HMAC and depends on the previous link; a chain key seals and opens', async () => {
  const ring = await Keyring.fromRawKeys(new Uint8Array(32))
  const { derivedChainKeyBytes, importChainKey, newChainKey, openChainKey, sealChainKey } = await import('../../src/audit/chain-keys.ts')
  const key = await importChainKey(await derivedChainKeyBytes(ring.current))
  const fresh = await newChainKey()
  const place = { id: fresh.id, seq: 1, kind: 'random' as const }
  const sealed = { ...place, ...(await sealChainKey(ring.current, place, fresh.raw)) }
  assertEquals(toHex(await openChainKey(ring.current, sealed)), toHex(fresh.raw), 'chain key round trip')
  await assertRejects(openChainKey(ring.current, { ...sealed, seq: 2 }), DecryptError, 'chain key moved to another place')
  const row = { id: 1, secret_name: 'A', action: 'read', accessor: 'deno', reason: 'test', outcome: 'ok', at: '2026-01-01T00:00:00.000Z', chain_key_id: ring.current.id }
  const a = await chainLink(key, GENESIS_CHAIN, row)
  const b = await chainLink(key, a, row)
  if (!/^[0-9a-f]{64}$/.test(a) || a === b) throw new Error('chain links')
})

Deno.test('render: string form with escapes and pass-through, malformed and missing refused', async () => {
  const values = new Map([['TOKEN', enc.encode('t0k3n')]])
  assertEquals(await renderString('a=${SECRET:TOKEN} b=$${SECRET:TOKEN} $HOME ${{ x }}', async () => values), 'a=t0k3n b=${SECRET:TOKEN} $HOME ${{ x }}', 'render')
  const bad = await assertRejects(renderString('x\n ${SECRET:nope}', async () => values), MalformedPlaceholderError, 'malformed')
  assertEquals([(bad as MalformedPlaceholderError).line, (bad as MalformedPlaceholderError).column], [2, 2], 'position')
  await assertRejects(
    renderString('${SECRET:GONE}', async () => {
      throw new MissingSecretError('GONE')
    }),
    MissingSecretError,
    'missing',
  )
})

Deno.test('render: streaming form over a Web ReadableStream cut at every byte', async () => {
  const body = enc.encode('k: ${SECRET:TOKEN}\n')
  const input = new ReadableStream<Uint8Array>({
    start(c) {
      for (const b of body) c.enqueue(new Uint8Array([b]))
      c.close()
    },
  })
  const out = renderStream(input, async () => enc.encode('v'))
  assertEquals(await new Response(out).text(), 'k: v\n', 'stream')
})

Deno.test('render: filters and the JSON context, string and stream cut at every byte', async () => {
  const values = async () => new Map([['Q', enc.encode('a"b\\c\n\u2028\'')]])
  const body = '{"q": "${SECRET:Q}", "sh": "${SECRET:Q|sh}", "b": "${SECRET:Q|base64}", "raw": ${SECRET:Q|url}}'
  const want = '{"q": "a\\"b\\\\c\\n\\u2028\'", "sh": "\'a\\"b\\\\c\\n\\u2028\'\\\\\'\'\'", "b": "YSJiXGMK4oCoJw==", "raw": a%22b%5Cc%0A%E2%80%A8%27}'
  assertEquals(await renderString(body, values, { format: 'json' }), want, 'json string form')
  const parsed = JSON.parse(want.replace('a%22b%5Cc%0A%E2%80%A8%27', '0'))
  assertEquals(parsed.q, 'a"b\\c\n\u2028\'', 'parses to the value')
  const bytes = enc.encode(body)
  const input = new ReadableStream<Uint8Array>({
    start(c) {
      for (const b of bytes) c.enqueue(new Uint8Array([b]))
      c.close()
    },
  })
  const out = renderStream(input, async () => (await values()).get('Q')!, { format: 'json' })
  assertEquals(await new Response(out).text(), want, 'json stream form')
  await assertRejects(renderString('[${SECRET:Q}]', values, { format: 'json' }), MalformedPlaceholderError, 'bare placeholder outside strings')
  assertEquals(new TextDecoder().decode(escapeJson(enc.encode('\u0000"'))), '\\u0000\\"', 'escapeJson')
  assertEquals(new TextDecoder().decode(quoteShell(enc.encode("'"))), "''\\'''", 'quoteShell')
})
