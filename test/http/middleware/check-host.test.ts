import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { Hono } from 'hono'
import type { AppEnv, ServerBindings } from '../../../src/http/app-env.ts'
import { errorHandler } from '../../../src/http/error-handler.ts'
import { checkHost } from '../../../src/http/middleware/check-host.ts'
import { guardMutating } from '../../../src/http/middleware/guard-mutating.ts'
import { describeEachDialect } from '../../helpers/databases.ts'
import { bodyOf, ALICE, errorOf, type Harness, harness, jsonInit } from '../harness.ts'

const REBIND = 'http://rebind.example:8787'

describeEachDialect('the Host check', (dialect) => {
  let h: Harness
  beforeEach(async () => {
    h = await harness({}, dialect)
  })
  afterEach(() => h.close())

  test('a DNS-rebinding page can neither log in nor lock local operators out: 421 before the login runs', async () => {
    const before = await h.snapshot()
    // 25 failures would lock the loopback address (20) if they reached the throttle.
    for (let i = 0; i < 25; i++) {
      const res = await h.request(`${REBIND}/session`, jsonInit('POST', { username: `guess${i}`, password: 'wrong password' }, { Origin: REBIND }))
      expect(res.status).toBe(421)
      expect(await bodyOf(res)).toEqual({ error: { code: 'host_not_allowed', message: 'this server does not answer to that host name: use its own address, or add the name to PUBLIC_ORIGIN' } })
    }
    const right = await h.request(`${REBIND}/session`, jsonInit('POST', ALICE, { Origin: REBIND }))
    expect(right.status).toBe(421)
    expect(right.headers.get('Set-Cookie')).toBeNull()
    expect(await h.snapshot()).toEqual(before)
    expect(h.logs.filter((e) => e.status === 421)).toHaveLength(26)
    // The local operator still logs in from 127.0.0.1 at once.
    expect((await h.request('/session', jsonInit('POST', ALICE))).status).toBe(200)
  })

  test('a forged Host header is refused even when the URL is ours', async () => {
    const res = await h.request('/healthz', { headers: { Host: 'rebind.example' } })
    expect(res.status).toBe(421)
    expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'self'")
    expect(res.headers.get('Cache-Control')).toBe('no-store')
  })

  const bound = (host: string, port = 8787): ServerBindings => ({ remoteAddress: '127.0.0.1', listening: { host, port } })
  const cases: Array<[string, ServerBindings, string, number]> = [
    ['loopback bind: 127.0.0.1 at the port', bound('127.0.0.1'), 'http://127.0.0.1:8787', 200],
    ['loopback bind: localhost at the port', bound('127.0.0.1'), 'http://localhost:8787', 200],
    ['loopback bind: [::1] at the port', bound('127.0.0.1'), 'http://[::1]:8787', 200],
    ['loopback bind: LOCALHOST (case) at the port', bound('127.0.0.1'), 'http://LOCALHOST:8787', 200],
    ['loopback bind: another port', bound('127.0.0.1'), 'http://127.0.0.1:8788', 421],
    ['loopback bind: no port (80)', bound('127.0.0.1'), 'http://localhost', 421],
    ['loopback bind: a rebound name', bound('127.0.0.1'), REBIND, 421],
    ['loopback bind: a LAN address', bound('127.0.0.1'), 'http://192.168.1.5:8787', 421],
    ['::1 bind: localhost at the port', bound('::1'), 'http://localhost:8787', 200],
    ['port 80 bind: localhost without a port', bound('127.0.0.1', 80), 'http://localhost', 200],
    ['LAN bind: its address', bound('192.168.1.5'), 'http://192.168.1.5:8787', 200],
    ['LAN bind: localhost', bound('192.168.1.5'), 'http://localhost:8787', 421],
    ['wildcard bind: any IPv4 literal at the port', bound('0.0.0.0'), 'http://10.1.2.3:8787', 200],
    ['wildcard bind: an IPv6 literal at the port', bound('::'), 'http://[fd00::5]:8787', 200],
    ['wildcard bind: localhost at the port', bound('0.0.0.0'), 'http://localhost:8787', 200],
    ['wildcard bind: an IP literal at another port', bound('0.0.0.0'), 'http://10.1.2.3:9999', 421],
    ['wildcard bind: a name', bound('0.0.0.0'), REBIND, 421],
    ['no listen address (app.request): a name', {}, 'http://rebind.example/', 421],
    ['no listen address (app.request): localhost, any port', {}, 'http://localhost:1234', 200],
  ]
  for (const [label, bindings, origin, status] of cases) {
    test(`${label}: ${status}`, async () => {
      const res = await h.request(`${origin}/healthz`, {}, bindings)
      expect(res.status).toBe(status)
      if (status === 421) expect(await errorOf(res)).toEqual({ code: 'host_not_allowed', message: expect.any(String) })
    })
  }

  test('PUBLIC_ORIGIN hosts are the server\'s own: as the proxy forwards them, with or without the default port', async () => {
    const p = await harness({ trustedOrigins: ['https://secrets.example.org', 'http://lan.example:8080'] }, dialect)
    try {
      const at = bound('127.0.0.1')
      expect((await p.request('http://127.0.0.1:8787/healthz', { headers: { Host: 'secrets.example.org' } }, at)).status).toBe(200)
      expect((await p.request('http://secrets.example.org/healthz', {}, at)).status).toBe(200)
      expect((await p.request('http://secrets.example.org:443/healthz', {}, at)).status).toBe(200)
      expect((await p.request('https://secrets.example.org/healthz', {}, at)).status).toBe(200)
      expect((await p.request('http://secrets.example.org:8443/healthz', {}, at)).status).toBe(421)
      expect((await p.request('http://lan.example:8080/healthz', {}, at)).status).toBe(200)
      expect((await p.request('http://lan.example/healthz', {}, at)).status).toBe(421)
      expect((await p.request('http://other.example.org/healthz', {}, at)).status).toBe(421)
    } finally {
      await p.close()
    }
  })
})

describe('the cross-site check trusts only an origin checkHost verified', () => {
  const session = { username: 'alice', csrfToken: 'token', tokenHash: 'hash' } as never
  const build = (withHostCheck: boolean) => {
    const app = new Hono<AppEnv>()
    app.use(async function fakeSession(c, next) {
      c.set('session', session)
      return next()
    })
    if (withHostCheck) app.use(checkHost([]))
    app.use(guardMutating())
    let ran = 0
    app.post('/x', (c) => {
      ran++
      return c.body(null, 204)
    })
    app.onError(errorHandler({ request() {}, error() {} }))
    return { app, ran: () => ran }
  }
  const post = (app: Hono<AppEnv>, url: string, origin: string) =>
    app.request(url, { method: 'POST', headers: { Origin: origin, 'X-CSRF-Token': 'token' } })

  test('an Origin that merely matches the request\'s (forged) Host is cross-site', async () => {
    const { app, ran } = build(false)
    const res = await post(app, 'http://rebind.example/x', 'http://rebind.example')
    expect(res.status).toBe(403)
    expect(await bodyOf(res)).toEqual({ error: { code: 'csrf_failed', message: 'cross-site request refused' } })
    expect(ran()).toBe(0)
  })

  test('behind checkHost, the verified own origin passes and a sibling loopback name does not', async () => {
    const { app, ran } = build(true)
    expect((await post(app, 'http://localhost/x', 'http://localhost')).status).toBe(204)
    expect((await post(app, 'http://localhost/x', 'http://127.0.0.1')).status).toBe(403)
    expect((await post(app, 'http://rebind.example/x', 'http://rebind.example')).status).toBe(421)
    expect(ran()).toBe(1)
  })
})

describe('AllowedHosts remembers what it allowed, never what it refused', () => {
  test('repeated and interleaved answers stay the same; past the bound of remembered hosts too', async () => {
    const { AllowedHosts } = await import('../../../src/http/middleware/check-host.ts')
    const hosts = new AllowedHosts({ host: '0.0.0.0', port: 8787 }, ['https://secrets.example.org'])
    const cases: Array<[string, 'http:' | 'https:', boolean]> = [
      ['127.0.0.1:8787', 'http:', true],
      ['evil.example:8787', 'http:', false],
      ['secrets.example.org', 'https:', true],
      ['secrets.example.org:8787', 'http:', false],
      ['10.1.2.3:8787', 'http:', true],
      ['10.1.2.3:8788', 'http:', false],
      ['localhost:8787', 'http:', true],
      ['localhost:8787/x', 'http:', false],
    ]
    for (let round = 0; round < 3; round++) {
      for (const [host, scheme, ok] of cases) expect([host, hosts.allows(host, scheme)]).toEqual([host, ok])
      // Fill the memory with allowed IP literals (a wildcard listener allows any at its port), then ask again.
      for (let i = 0; i < 200; i++) expect(hosts.allows(`10.0.${round}.${i}:8787`, 'http:')).toBe(true)
    }
  })
})

describe('checkHost remembers the requests it passed, never the ones it refused', () => {
  const build = () => {
    const app = new Hono<AppEnv>()
    app.use(checkHost(['https://secrets.example.org']))
    app.get('*', (c) => c.text(c.get('ownOrigin') ?? 'none'))
    app.onError(errorHandler({ request() {}, error() {} }))
    return app
  }
  const listen: ServerBindings = { remoteAddress: '127.0.0.1', listening: { host: '127.0.0.1', port: 8787 } }
  const ask = async (app: Hono<AppEnv>, url: string, host: string | undefined, bindings: ServerBindings = listen) => {
    const res = await app.request(url, host === undefined ? {} : { headers: { Host: host } }, bindings)
    return res.status === 200 ? await res.text() : res.status
  }

  test('the same answers asked again and interleaved: allowed ones with their origin, forged Host headers refused each time', async () => {
    const app = build()
    const cases: Array<[string, string | undefined, string | number, ServerBindings?]> = [
      ['http://127.0.0.1:8787/healthz', '127.0.0.1:8787', 'http://127.0.0.1:8787'],
      ['http://127.0.0.1:8787/secrets', 'rebind.example:8787', 421],
      ['http://127.0.0.1:8787/x', undefined, 'http://127.0.0.1:8787'],
      ['http://127.0.0.1:8787/x', '', 421],
      ['http://127.0.0.1:8787/x', 'localhost:8787', 'http://127.0.0.1:8787'],
      ['http://rebind.example:8787/healthz', '127.0.0.1:8787', 421],
      ['http://localhost:8787/a?b=/c', 'localhost:8787', 'http://localhost:8787'],
      ['http://localhost:8788/', 'localhost:8788', 421],
      ['https://secrets.example.org/secrets', 'secrets.example.org', 'https://secrets.example.org'],
      ['http://secrets.example.org/secrets', 'secrets.example.org', 'http://secrets.example.org'],
      ['http://127.0.0.1:9999/healthz', '127.0.0.1:9999', 'http://127.0.0.1:9999', { listening: { host: '127.0.0.1', port: 9999 } }],
      ['http://127.0.0.1:8787/healthz', '127.0.0.1:8787', 421, { listening: { host: '127.0.0.1', port: 9999 } }],
    ]
    for (let round = 0; round < 3; round++) {
      for (const [url, host, want, bindings] of cases) expect([url, host, await ask(app, url, host, bindings)]).toEqual([url, host, want])
    }
    // Past the bound of remembered requests (a wildcard listener passes any IP literal at its port): still the same answers.
    const wildcard: ServerBindings = { listening: { host: '0.0.0.0', port: 8787 } }
    for (let i = 0; i < 100; i++) expect(await ask(app, `http://10.0.0.${i}:8787/`, `10.0.0.${i}:8787`, wildcard)).toBe(`http://10.0.0.${i}:8787`)
    expect(await ask(app, 'http://10.0.0.1:8787/', 'rebind.example:8787', wildcard)).toBe(421)
    for (const [url, host, want, bindings] of cases) expect([url, host, await ask(app, url, host, bindings)]).toEqual([url, host, want])
  })
})
