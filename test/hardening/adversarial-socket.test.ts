/**
 * Adversarial requests app.request cannot express, sent as raw bytes over a
 * TCP socket (Bun.connect) to the real server (startServer, Bun.serve) on
 * 127.0.0.1: malformed request lines, duplicate and conflicting headers,
 * oversized headers, conflicting body lengths (request smuggling), a NUL in
 * a header, a spoofed Host. Every one gets a 4xx and changes no row of any
 * table; when the app itself answers (rather than the runtime's HTTP parser,
 * whose 400/431 has no JSON body) the body is `{"error":{"code",…}}` with the
 * expected code.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { SecretsContext } from '../../src/context.ts'
import { createApp } from '../../src/http/app.ts'
import type { RequestLogEntry } from '../../src/http/app-logger.ts'
import { type RunningServer, startServer } from '../../src/http/server.ts'
import { OperatorService } from '../../src/operators/operator.service.ts'
import { memoryContext, testClock } from '../helpers/context.ts'
import { ALICE, FAST_SCRYPT, NO_UI } from '../http/harness.ts'
import { everyTable, type Snapshot } from './snapshot.ts'

let ctx: SecretsContext
let server: RunningServer
let port: number
let cookie: string
let csrf: string
let staleCookie: string
let staleCsrf: string
let before: Snapshot
const serverErrors: unknown[] = []
const logged: RequestLogEntry[] = []

/** What came back on one connection: every status line, and the body of the first response. */
interface RawAnswer {
  statuses: number[]
  head: string
  body: string
}

/** Sends raw bytes on a fresh connection; reads until the server closes it or 1.5 s pass in silence. */
async function raw(bytes: string | Uint8Array): Promise<RawAnswer> {
  const chunks: Uint8Array[] = []
  let wake: () => void = () => {}
  let closed = false
  const socket = await Bun.connect({
    hostname: '127.0.0.1',
    port,
    socket: {
      data(_s, data) {
        chunks.push(new Uint8Array(data))
        wake()
      },
      close() {
        closed = true
        wake()
      },
      error() {
        closed = true
        wake()
      },
    },
  })
  const payload = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes
  let off = 0
  while (off < payload.length) {
    const n = socket.write(payload.subarray(off))
    off += n
    if (off < payload.length) await Bun.sleep(1)
  }
  socket.flush()
  while (!closed) {
    const got = await Promise.race([new Promise<boolean>((r) => (wake = () => r(true))), Bun.sleep(1500).then(() => false)])
    if (!got) break
  }
  socket.end()
  const text = new TextDecoder().decode(Buffer.concat(chunks))
  const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]))
  const split = text.indexOf('\r\n\r\n')
  const head = split === -1 ? text : text.slice(0, split)
  let body = split === -1 ? '' : text.slice(split + 4)
  if (/transfer-encoding: chunked/i.test(head)) body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n[\s\S]*$/, '')
  else {
    const length = /content-length: (\d+)/i.exec(head)
    if (length) body = body.slice(0, Number(length[1]))
  }
  return { statuses, head, body }
}

const CRLF = '\r\n'
/** A request from lines (request line and headers), with an optional body. */
const req = (lines: string[], body = '') => lines.join(CRLF) + CRLF + CRLF + body

interface SocketCase {
  label: string
  send: () => string | Uint8Array
  /** Every status line must be one of these (a connection may carry two pipelined answers). */
  statuses: number[]
  /** When the app answers: the error code of the first response. */
  code?: string
  /**
   * Bun (1.4) answers nothing on a connection that pipelines a second
   * request behind one its async handler has not finished: the connection is
   * closed instead. Refused either way; nothing is written.
   */
  mayDrop?: true
  /** The client breaks the body off: the app logs the aborted read (an AbortError), answers nothing more. */
  aborts?: true
}

const host = () => `Host: 127.0.0.1:${port}`
const auth = () => [`Cookie: ${cookie}`, `X-CSRF-Token: ${csrf}`]
const createBody = JSON.stringify({ name: 'SMUGGLED', value: 'smuggled-value' })

const CASES: SocketCase[] = [
  { label: 'a request line that is not HTTP', send: () => `HELLO THERE${CRLF}${CRLF}`, statuses: [400] },
  // Bun's parser, before the app, reads what follows the space as the version: 505 (RFC 9110 §15.6.6).
  { label: 'a request line with a NUL in the target', send: () => req([`GET /secrets/A\u0000B HTTP/1.1`, host(), ...auth(), 'Connection: close']), statuses: [400, 505] },
  { label: 'a request line with a space in the target', send: () => req([`GET /secrets/A B HTTP/1.1`, host(), ...auth(), 'Connection: close']), statuses: [400, 505] },
  { label: 'an unknown HTTP version', send: () => req([`GET /secrets HTTP/9.9`, host(), ...auth(), 'Connection: close']), statuses: [400, 505] },
  { label: 'a 100 KB request target', send: () => req([`GET /secrets/${'A'.repeat(100_000)} HTTP/1.1`, host(), ...auth(), 'Connection: close']), statuses: [400, 414, 431] },
  { label: 'a 200 KB header', send: () => req([`GET /secrets HTTP/1.1`, host(), ...auth(), `X-Pad: ${'p'.repeat(200_000)}`, 'Connection: close']), statuses: [400, 431] },
  { label: 'a 200 KB Cookie header', send: () => req([`GET /secrets HTTP/1.1`, host(), `Cookie: secrets_session=${'A'.repeat(200_000)}`, 'Connection: close']), statuses: [400, 431] },
  { label: '2,000 headers', send: () => req([`GET /secrets HTTP/1.1`, host(), ...auth(), ...Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`), 'Connection: close']), statuses: [400, 431] },
  { label: 'a NUL byte in the X-CSRF-Token header', send: () => req([`POST /secrets HTTP/1.1`, host(), `Cookie: ${cookie}`, `X-CSRF-Token: ${csrf}\u0000`, 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Connection: close'], createBody), statuses: [400, 403], code: 'csrf_failed' },
  { label: 'a header name with a space', send: () => req([`GET /secrets HTTP/1.1`, host(), 'X Bad: 1', 'Connection: close']), statuses: [400] },
  { label: 'an obsolete folded header line', send: () => req([`POST /secrets HTTP/1.1`, host(), `Cookie: ${cookie}`, `X-CSRF-Token: ${csrf.slice(0, 10)}`, ` ${csrf.slice(10)}`, 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Connection: close'], createBody), statuses: [400, 403], code: 'csrf_failed' },
  { label: 'the X-CSRF-Token header twice (same token)', send: () => req([`POST /secrets HTTP/1.1`, host(), `Cookie: ${cookie}`, `X-CSRF-Token: ${csrf}`, `X-CSRF-Token: ${csrf}`, 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Connection: close'], createBody), statuses: [403], code: 'csrf_failed' },
  { label: 'the X-CSRF-Token header twice (a wrong one first)', send: () => req([`POST /secrets HTTP/1.1`, host(), `Cookie: ${cookie}`, 'X-CSRF-Token: wrong', `X-CSRF-Token: ${csrf}`, 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Connection: close'], createBody), statuses: [403], code: 'csrf_failed' },
  { label: 'two Cookie headers of unknown sessions', send: () => req([`GET /secrets HTTP/1.1`, host(), `Cookie: secrets_session=${'a'.repeat(43)}`, `Cookie: secrets_session=${'b'.repeat(43)}`, 'Connection: close']), statuses: [401], code: 'unauthenticated' },
  { label: 'a logged-out session cookie twice', send: () => req([`POST /secrets HTTP/1.1`, host(), `Cookie: ${staleCookie}`, `Cookie: ${staleCookie}`, `X-CSRF-Token: ${staleCsrf}`, 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Connection: close'], createBody), statuses: [401], code: 'unauthenticated' },
  { label: 'two Origin headers, ours and another', send: () => req([`POST /secrets HTTP/1.1`, host(), ...auth(), `Origin: http://127.0.0.1:${port}`, 'Origin: https://evil.example', 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Connection: close'], createBody), statuses: [403], code: 'csrf_failed' },
  { label: 'two Content-Type headers (JSON and text/plain)', send: () => req([`POST /secrets HTTP/1.1`, host(), ...auth(), 'Content-Type: application/json', 'Content-Type: text/plain', `Content-Length: ${createBody.length}`, 'Connection: close'], createBody), statuses: [415], code: 'unsupported_media_type' },
  { label: 'two different Content-Length headers', send: () => req([`POST /secrets HTTP/1.1`, host(), ...auth(), 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Content-Length: 2', 'Connection: close'], createBody), statuses: [400] },
  { label: 'Content-Length and Transfer-Encoding: chunked together', send: () => req([`POST /secrets HTTP/1.1`, host(), ...auth(), 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Transfer-Encoding: chunked', 'Connection: close'], `${createBody.length.toString(16)}${CRLF}${createBody}${CRLF}0${CRLF}${CRLF}`), statuses: [400] },
  { label: 'a negative Content-Length', send: () => req([`POST /secrets HTTP/1.1`, host(), ...auth(), 'Content-Type: application/json', 'Content-Length: -1', 'Connection: close'], createBody), statuses: [400] },
  { label: 'a Content-Length of 10^20', send: () => req([`POST /secrets HTTP/1.1`, host(), ...auth(), 'Content-Type: application/json', 'Content-Length: 100000000000000000000', 'Connection: close'], createBody), statuses: [400, 413] },
  { label: 'a chunked body over 128 KiB without a Content-Length', send: () => {
    const big = JSON.stringify({ name: 'HUGE', value: 'v'.repeat(140_000) })
    return req([`POST /secrets HTTP/1.1`, host(), ...auth(), 'Content-Type: application/json', 'Transfer-Encoding: chunked', 'Connection: close'], `${big.length.toString(16)}${CRLF}${big}${CRLF}0${CRLF}${CRLF}`)
  }, statuses: [413], code: 'payload_too_large' },
  { label: 'a bad chunk size', send: () => req([`POST /secrets HTTP/1.1`, host(), ...auth(), 'Content-Type: application/json', 'Transfer-Encoding: chunked', 'Connection: close'], `zz${CRLF}${createBody}${CRLF}0${CRLF}${CRLF}`), statuses: [400], aborts: true },
  { label: 'a short Content-Length smuggling a second request (both refused)', send: () => req([`POST /secrets HTTP/1.1`, host(), ...auth(), 'Content-Type: application/json', 'Content-Length: 2'], `{}POST /secrets HTTP/1.1${CRLF}${host()}${CRLF}Content-Type: application/json${CRLF}Content-Length: ${createBody.length}${CRLF}Connection: close${CRLF}${CRLF}${createBody}`), statuses: [400, 401], code: 'validation_error', mayDrop: true, aborts: true },
  { label: 'a spoofed Host with a matching Origin, no token', send: () => req([`POST /secrets HTTP/1.1`, 'Host: evil.example', `Cookie: ${cookie}`, 'Origin: http://evil.example', 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Connection: close'], createBody), statuses: [421], code: 'host_not_allowed' },
  { label: 'a spoofed Host with a matching Origin, no cookie (DNS rebinding)', send: () => req([`POST /secrets HTTP/1.1`, 'Host: evil.example', 'Origin: http://evil.example', `X-CSRF-Token: ${csrf}`, 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Connection: close'], createBody), statuses: [421], code: 'host_not_allowed' },
  { label: 'a spoofed Host with all credentials and a matching Origin', send: () => req([`POST /secrets HTTP/1.1`, `Host: evil.example:${port}`, ...auth(), `Origin: http://evil.example:${port}`, 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Connection: close'], createBody), statuses: [421], code: 'host_not_allowed' },
  { label: 'two Host headers, ours and another', send: () => req([`POST /secrets HTTP/1.1`, host(), `Host: evil.example:${port}`, ...auth(), 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Connection: close'], createBody), statuses: [400, 421], code: 'host_not_allowed' },
  { label: 'an absolute-form target naming another host, no token', send: () => req([`POST http://evil.example/secrets HTTP/1.1`, host(), `Cookie: ${cookie}`, 'Origin: http://evil.example', 'Content-Type: application/json', `Content-Length: ${createBody.length}`, 'Connection: close'], createBody), statuses: [400, 403, 421] },
  // Without Host, Bun builds the URL from something that is not our address: refused.
  { label: 'HTTP/1.0 without Host', send: () => req([`GET /secrets HTTP/1.0`]), statuses: [400, 421], code: 'host_not_allowed' },
  { label: 'bare LF line endings', send: () => `POST /secrets HTTP/1.1\nHost: 127.0.0.1\nCookie: ${cookie}\nX-CSRF-Token: ${csrf}\nContent-Type: application/json\nContent-Length: ${createBody.length}\nConnection: close\n\n${createBody}`, statuses: [400, 505], aborts: true },
  { label: 'an encoded ../ in a raw target', send: () => req([`DELETE /secrets/..%2F..%2Fsession HTTP/1.1`, host(), ...auth(), 'Connection: close']), statuses: [400], code: 'validation_error' },
  { label: 'raw dot segments in the target', send: () => req([`DELETE /secrets/../session/../secrets/EXISTING/x HTTP/1.1`, host(), ...auth(), 'Connection: close']), statuses: [400, 404], code: 'not_found' },
  { label: 'a TRACE', send: () => req([`TRACE /secrets HTTP/1.1`, host(), ...auth(), 'Connection: close']), statuses: [400, 404, 405, 501], code: 'not_found' },
]

beforeAll(async () => {
  const clock = testClock()
  ctx = await memoryContext({}, { now: clock.now })
  await new OperatorService({ db: ctx.store.db, now: clock.now, passwordParams: FAST_SCRYPT }).add(ALICE.username, ALICE.password)
  const app = createApp({
    ctx,
    now: clock.now,
    passwordParams: FAST_SCRYPT,
    webDir: NO_UI,
    logger: { request: (e) => logged.push(e), error: (_where, e) => serverErrors.push(e) },
  })
  server = await startServer(app.fetch, { host: '127.0.0.1', port: 0 })
  port = Number(new URL(server.url).port)
  const login = async () => {
    const res = await fetch(`${server.url}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ALICE) })
    expect(res.status).toBe(200)
    return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await res.json()) as { csrf_token: string }).csrf_token }
  }
  const stale = await login()
  staleCookie = stale.cookie
  staleCsrf = stale.csrf
  const out = await fetch(`${server.url}/session`, { method: 'DELETE', headers: { Cookie: staleCookie, 'X-CSRF-Token': staleCsrf } })
  expect(out.status).toBe(204)
  ;({ cookie, csrf } = await login())
  const created = await fetch(`${server.url}/secrets`, {
    method: 'POST',
    headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'EXISTING', value: 'existing-value' }),
  })
  expect(created.status).toBe(201)
  before = await everyTable(ctx.store.db, ctx.store.dialect)
})

afterAll(async () => {
  await server.stop()
  await ctx.close()
})

describe('adversarial requests over a raw socket: 4xx, nothing changed', () => {
  for (const c of CASES) {
    test(`${c.label} → ${c.statuses.join(' or ')}`, async () => {
      serverErrors.length = 0
      const answer = await raw(c.send())
      if (!c.mayDrop) expect(answer.statuses.length).toBeGreaterThan(0)
      for (const s of answer.statuses) expect(c.statuses).toContain(s)
      // A status only the app gives (not the parser's 400, 414, 431, 505) must carry the app's JSON error.
      const appOnly = answer.statuses.filter((st) => ![400, 414, 431, 505].includes(st))
      if (c.code !== undefined && appOnly.length > 0) expect(answer.head).toMatch(/content-type: application\/json/i)
      // An answer with a JSON body came from the app: it has the app's error shape.
      if (/content-type: application\/json/i.test(answer.head)) {
        const error = (JSON.parse(answer.body) as { error: { code: string; message: string } }).error
        expect(typeof error.message).toBe('string')
        if (c.code !== undefined) expect(error.code).toBe(c.code)
        expect(answer.body).not.toContain('smuggled-value')
      }
      // Any error the app logged is the aborted body read of a broken request, never a 500 answered.
      for (const e of serverErrors) expect(c.aborts && (e as Error).name === 'AbortError').toBe(true)
      expect(await everyTable(ctx.store.db, ctx.store.dialect)).toEqual(before)
    })
  }

  test('the server still answers normally afterwards', async () => {
    const res = await fetch(`${server.url}/secrets/EXISTING`, { headers: { Cookie: cookie } })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { name: string }).name).toBe('EXISTING')
  })
})

describe('the Host header over a real socket (server bound to 127.0.0.1)', () => {
  const get = (hostLine: string, path = '/healthz') => raw(req([`GET ${path} HTTP/1.1`, hostLine, 'Connection: close']))
  const cases: Array<[string, () => string, number]> = [
    ['127.0.0.1 at the port', () => `Host: 127.0.0.1:${port}`, 200],
    ['localhost at the port', () => `Host: localhost:${port}`, 200],
    ['[::1] at the port', () => `Host: [::1]:${port}`, 200],
    ['127.0.0.1 at another port', () => `Host: 127.0.0.1:${port + 1}`, 421],
    ['127.0.0.1 without a port', () => 'Host: 127.0.0.1', 421],
    ['a rebound name at the port', () => `Host: rebind.example:${port}`, 421],
    ['a name with userinfo', () => `Host: alice@127.0.0.1:${port}`, 421],
  ]
  for (const [label, hostLine, status] of cases) {
    test(`${label}: ${status}`, async () => {
      const answer = await get(hostLine())
      expect(answer.statuses).toEqual([status])
      if (status === 421) expect(JSON.parse(answer.body).error.code).toBe('host_not_allowed')
    })
  }

  test('a rebound page logging in with the right password gets 421 and no cookie', async () => {
    const body = JSON.stringify(ALICE)
    const answer = await raw(req([`POST /session HTTP/1.1`, `Host: rebind.example:${port}`, `Origin: http://rebind.example:${port}`, 'Content-Type: application/json', `Content-Length: ${body.length}`, 'Connection: close'], body))
    expect(answer.statuses).toEqual([421])
    expect(answer.head.toLowerCase()).not.toContain('set-cookie')
    expect(logged.at(-1)).toMatchObject({ method: 'POST', route: '/session', status: 421 })
  })

  test('percent-encoded control characters in a raw target: one log entry each, the route pattern only', async () => {
    const targets = ['/secrets/A%0AB', '/secrets/A%0D%0Ahttp%20GET%20/forged', '/nope%09x%1B%7F', '/secrets/A%C2%85B']
    logged.length = 0
    for (const t of targets) expect((await get(`Host: 127.0.0.1:${port}`, t)).statuses).toHaveLength(1)
    expect(logged.map((e) => e.route)).toEqual(['/secrets/:name', '<unmatched>', '<unmatched>', '/secrets/:name'])
  })
})

