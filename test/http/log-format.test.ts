import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { jsonLogger, loggableAddress, type RequestLogEntry } from '../../src/http/app-logger.ts'
import { logFormat, loggerFor } from '../../src/http/log-format.ts'
import { caught } from '../helpers/caught.ts'
import { describeEachDialect } from '../helpers/databases.ts'
import { ALICE, type Harness, harness, jsonInit } from './harness.ts'

const SENTINEL = 'SENTINEL-log-9c1d'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('LOG_FORMAT', () => {
  test('unset or empty: text on a terminal, JSON lines otherwise; json and text choose', () => {
    expect([logFormat(undefined, true), logFormat('', true), logFormat(undefined, false), logFormat('', false)]).toEqual(['text', 'text', 'json', 'json'])
    expect([logFormat('json', true), logFormat('text', false)]).toEqual(['json', 'text'])
  })

  test('anything else is a configuration error naming the variable', () => {
    for (const bad of ['JSON', 'yaml', ' json']) {
      const e = caught(() => logFormat(bad, false))
      expect(e).toMatchObject({ code: 'config_error', message: expect.stringContaining('LOG_FORMAT must be json or text') })
    }
  })
})

describe('jsonLogger', () => {
  test('one JSON object a line: time, level by status, request fields; errors with their stack', () => {
    const lines: string[] = []
    const logger = jsonLogger((l) => lines.push(l), () => new Date('2026-01-01T00:00:00.000Z'))
    logger.request({ method: 'GET', route: '/secrets/:name', status: 200, ms: 1.25, requestId: 'r1', operator: 'alice', address: '127.0.0.1' })
    logger.request({ method: 'POST', route: '/render', status: 403, ms: 2, requestId: 'r2', client: 'ci', address: 'evil\nline' })
    logger.request({ method: 'GET', route: '<unmatched>', status: 500, ms: 0, requestId: 'r3' })
    logger.error('GET /x', new TypeError('boom'), 'r3')
    logger.info!('listening', { url: 'http://127.0.0.1:1' })
    for (const l of lines) expect(l.endsWith('\n') && !l.slice(0, -1).includes('\n')).toBe(true)
    const parsed = lines.map((l) => JSON.parse(l))
    expect(parsed[0]).toEqual({
      time: '2026-01-01T00:00:00.000Z',
      level: 'info',
      msg: 'request',
      request_id: 'r1',
      method: 'GET',
      route: '/secrets/:name',
      status: 200,
      duration_ms: 1.3,
      operator: 'alice',
      client_address: '127.0.0.1',
    })
    // An address of another shape is left out.
    expect(parsed[1]).toEqual({ time: '2026-01-01T00:00:00.000Z', level: 'warn', msg: 'request', request_id: 'r2', method: 'POST', route: '/render', status: 403, duration_ms: 2, client: 'ci' })
    expect(parsed[2].level).toBe('error')
    expect(parsed[3]).toMatchObject({ level: 'error', msg: 'unexpected error', request_id: 'r3', where: 'GET /x', error: { name: 'TypeError', message: 'boom' } })
    expect(parsed[3].error.stack).toContain('TypeError: boom')
    expect(parsed[4]).toEqual({ time: '2026-01-01T00:00:00.000Z', level: 'info', msg: 'listening', url: 'http://127.0.0.1:1' })
  })
})

describe('the request line, built as text', () => {
  // What jsonLogger wrote before its request line was built by hand: the
  // line must stay byte for byte what JSON.stringify of this object gives.
  const reference = (time: string, e: RequestLogEntry) =>
    `${JSON.stringify({
      time,
      level: e.status >= 500 ? 'error' : e.status >= 400 ? 'warn' : 'info',
      msg: 'request',
      request_id: e.requestId,
      method: e.method,
      route: e.route,
      status: e.status,
      duration_ms: Math.round(e.ms * 10) / 10,
      ...(e.operator === undefined ? {} : { operator: e.operator }),
      ...(e.client === undefined ? {} : { client: e.client }),
      ...(loggableAddress(e.address) === undefined ? {} : { client_address: e.address }),
    })}\n`

  test('the same bytes as JSON.stringify of the entry, for awkward strings and numbers', () => {
    const awkward = ['', 'alice', 'quote"back\\slash', 'line\nbreak\ttab\u0000nul\u001f', '\u2028\u2029', 'é∑😀', '\ud800lone', '</script>', SENTINEL]
    const numbers = [0, -0, 0.04, 0.05, 1.25, 12345.678, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY]
    const statuses = [200, 201, 304, 400, 421, 499, 500, 503]
    const addresses = [undefined, '127.0.0.1', '::1', 'fe80::1%eth0', 'evil\nline', '"quoted"']
    let seed = 7
    const pick = <T>(xs: readonly T[]): T => xs[(seed = (seed * 1103515245 + 12345) % 2147483648) % xs.length]!
    const time = '2026-01-01T00:00:00.000Z'
    const lines: string[] = []
    const logger = jsonLogger((l) => lines.push(l), () => new Date(time))
    const entries: RequestLogEntry[] = []
    for (let i = 0; i < 1200; i++) {
      const who = pick([0, 1, 2, 3])
      entries.push({
        method: pick(['GET', 'POST', 'DELETE', ...awkward]),
        route: pick(['/secrets', '/secrets/:name', '<unmatched>', ...awkward]),
        status: pick(statuses),
        ms: pick(numbers),
        requestId: pick([undefined, '0b5f0c1e-0000-4000-8000-000000000000', ...awkward]),
        // Distinct names past the logger's store of quoted strings, too.
        operator: who === 1 || who === 3 ? `${pick(awkward)}${i}` : undefined,
        client: who === 2 || who === 3 ? pick(awkward) : undefined,
        address: pick(addresses),
      })
    }
    for (const e of entries) logger.request(e)
    expect(lines).toEqual(entries.map((e) => reference(time, e)))
  })

  test('with the system clock: the time is the current one, as toISOString writes it', () => {
    const lines: string[] = []
    const logger = jsonLogger((l) => lines.push(l))
    const before = Date.now()
    logger.request({ method: 'GET', route: '/healthz', status: 200, ms: 0.1 })
    logger.request({ method: 'GET', route: '/healthz', status: 200, ms: 0.1 })
    const after = Date.now()
    for (const l of lines) {
      const time = JSON.parse(l).time as string
      expect(new Date(time).toISOString()).toBe(time)
      expect(Date.parse(time)).toBeGreaterThanOrEqual(before)
      expect(Date.parse(time)).toBeLessThanOrEqual(after)
    }
  })
})

describeEachDialect('the JSON request log through the app', (dialect) => {
  let h: Harness
  let lines: string[]
  beforeEach(async () => {
    lines = []
    h = await harness({ logger: loggerFor('json', (l) => lines.push(l)) }, dialect)
  })
  afterEach(() => h.close())

  test('request id (also X-Request-Id, never the one a client sent), operator, client address; no path, query, cookie or secret', async () => {
    const s = await h.login(ALICE)
    const res = await h.as(s, 'POST', '/secrets', { name: 'LOGGED', value: SENTINEL }, { 'X-Request-Id': SENTINEL })
    expect(res.status).toBe(201)
    await h.as(s, 'GET', `/secrets/LOGGED/access-log?limit=5&cursor=${SENTINEL}`)
    await h.request('/session', jsonInit('POST', { username: 'alice', password: SENTINEL }), { remoteAddress: '192.0.2.9' })
    const parsed = lines.map((l) => JSON.parse(l))
    expect(parsed.map((p) => [p.method, p.route, p.status, p.operator, p.client_address])).toEqual([
      ['POST', '/session', 200, undefined, '127.0.0.1'],
      ['POST', '/secrets', 201, 'alice', '127.0.0.1'],
      ['GET', '/secrets/:name/access-log', 400, 'alice', '127.0.0.1'],
      ['POST', '/session', 401, undefined, '192.0.2.9'],
    ])
    for (const p of parsed) {
      expect(p.request_id).toMatch(UUID)
      expect(Date.parse(p.time)).toBeGreaterThan(0)
      expect(p.duration_ms).toBeGreaterThanOrEqual(0)
    }
    expect(res.headers.get('X-Request-Id')).toBe(parsed[1].request_id)
    expect(new Set(parsed.map((p) => p.request_id)).size).toBe(parsed.length)
    const all = lines.join('')
    for (const secret of [SENTINEL, s.csrf, s.cookie.split('=')[1]!, ALICE.password, 'LOGGED', 'limit=']) expect(all).not.toContain(secret)
  })
})
