import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { Hono } from 'hono'
import { consoleLogger } from '../../../src/http/app-logger.ts'
import { describeEachDialect } from '../../helpers/databases.ts'
import { ALICE, type Harness, harness, jsonInit, type Login } from '../harness.ts'

// Shaped like secret names (they pass NAME_PATTERN): a base32 TOTP seed, an AWS access key id.
const TOTP_SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
const SENTINEL = 'SENTINEL-7f3a'

// What one line of the default logger may look like: nothing a client chose.
const LOG_LINE = /^http [A-Z]+ (?:\/[a-z/:*-]*|<unmatched>) \d{3} \d+\.\dms req=[0-9a-f-]{36}(?: operator=[a-z]+)? from=127\.0\.0\.1\n$/

test('premise: percent-encoded control characters reach the app, decoded, in c.req.path', async () => {
  const seen: string[] = []
  const app = new Hono().get('*', (c) => {
    seen.push(c.req.path)
    return c.body(null, 204)
  })
  await app.request('http://localhost/a%09b%0Ac%1Bd%7Fe%C2%85f')
  expect(seen).toEqual(['/a\tb\nc\u001bd\u007fe\u0085f'])
})

describeEachDialect('the request log', (dialect) => {
  let h: Harness
  let alice: Login
  const lines: string[] = []

  beforeEach(async () => {
    lines.length = 0
    h = await harness({}, dialect)
    alice = await h.login(ALICE)
    h.logs.length = 0
  })
  afterEach(() => h.close())

  test('one entry per request: method, route, status, ms; no query string, cookie, token or body', async () => {
    await h.as(alice, 'POST', '/secrets', { name: 'LOGGED', value: SENTINEL })
    await h.as(alice, 'GET', `/secrets/LOGGED/access-log?limit=5&cursor=${SENTINEL}`)
    await h.request('/session', jsonInit('POST', { username: 'alice', password: SENTINEL }))
    expect(h.logs.map(({ method, route, status }) => ({ method, route, status }))).toEqual([
      { method: 'POST', route: '/secrets', status: 201 },
      { method: 'GET', route: '/secrets/:name/access-log', status: 400 },
      { method: 'POST', route: '/session', status: 401 },
    ])
    for (const e of h.logs) expect(e.ms).toBeGreaterThanOrEqual(0)
    const all = JSON.stringify(h.logs)
    for (const secret of [SENTINEL, alice.csrf, alice.cookie.split('=')[1]!, ALICE.password]) expect(all).not.toContain(secret)
  })

  test('route patterns, never path segments: values shaped like names stay out of the log', async () => {
    await h.as(alice, 'GET', `/secrets/${TOTP_SEED}`)
    await h.as(alice, 'GET', `/secrets/${AWS_KEY_ID}/access-log`)
    await h.as(alice, 'POST', `/secrets/${AWS_KEY_ID}/rotate`)
    await h.as(alice, 'PUT', `/secrets/${TOTP_SEED}`, { value: 'x' })
    await h.as(alice, 'DELETE', `/secrets/${TOTP_SEED}`)
    await h.request(`/secrets/${AWS_KEY_ID}`)
    await h.as(alice, 'GET', `/secrets/${TOTP_SEED}/${AWS_KEY_ID}`)
    await h.request(`/${TOTP_SEED}`)
    await h.request(`/assets/${AWS_KEY_ID}.js`)
    expect(h.logs.map(({ method, route, status }) => ({ method, route, status }))).toEqual([
      { method: 'GET', route: '/secrets/:name', status: 404 },
      { method: 'GET', route: '/secrets/:name/access-log', status: 200 },
      { method: 'POST', route: '/secrets/:name/rotate', status: 404 },
      { method: 'PUT', route: '/secrets/:name', status: 404 },
      { method: 'DELETE', route: '/secrets/:name', status: 404 },
      { method: 'GET', route: '/secrets/:name', status: 401 },
      { method: 'GET', route: '<unmatched>', status: 404 },
      { method: 'GET', route: '<unmatched>', status: 404 },
      { method: 'GET', route: '/assets/*', status: 404 },
    ])
    const all = JSON.stringify(h.logs)
    expect(all).not.toContain(TOTP_SEED)
    expect(all).not.toContain(AWS_KEY_ID)
  })

  test('control characters in a path cannot split a log line: one line per request, the route pattern only', async () => {
    const lh = await harness({ logger: consoleLogger((l) => lines.push(l)) }, dialect)
    try {
      const paths = [
        '/secrets/A%09B',
        '/secrets/A%0AB',
        '/nope%0Ahttp%20GET%20/forged%20200%200.1ms',
        '/secrets/A%0D%0Ahttp%20GET%20/x%20200%200.1ms',
        '/secrets/A%1B[31mB',
        '/secrets/A%7FB',
        '/secrets/A%C2%85B',
        '/%E2%80%A8',
      ]
      for (const path of paths) await lh.request(path)
      expect(lines).toHaveLength(paths.length)
      for (const line of lines) expect(line).toMatch(LOG_LINE)
      expect(lines.map((l) => l.split(' ')[2])).toEqual([
        '/secrets/:name',
        '/secrets/:name',
        '<unmatched>',
        '<unmatched>',
        '/secrets/:name',
        '/secrets/:name',
        '/secrets/:name',
        '<unmatched>',
      ])
    } finally {
      await lh.close()
    }
  })
})

describe('consoleLogger', () => {
  test('writes one line per request, and errors with their stack', () => {
    const lines: string[] = []
    const logger = consoleLogger((l) => lines.push(l))
    logger.request({ method: 'GET', route: '/secrets/:name', status: 200, ms: 1.25 })
    logger.request({ method: 'GET', route: '/secrets', status: 200, ms: 2, requestId: 'r1', operator: 'alice', address: '::1' })
    logger.request({ method: 'POST', route: '/render', status: 200, ms: 2, requestId: 'r2', client: 'ci', address: 'evil\nline' })
    logger.error('GET /x', new TypeError('boom'))
    logger.error('GET /y', new TypeError('bang'), 'r3')
    expect(lines[0]).toBe('http GET /secrets/:name 200 1.3ms\n')
    expect(lines[1]).toBe('http GET /secrets 200 2.0ms req=r1 operator=alice from=::1\n')
    // An address of another shape is left out: it cannot split or forge a line.
    expect(lines[2]).toBe('http POST /render 200 2.0ms req=r2 client=ci\n')
    expect(lines[3]).toStartWith('http error in GET /x: TypeError: boom')
    expect(lines[4]).toStartWith('http error in GET /y (req=r3): TypeError: bang')
  })
})
