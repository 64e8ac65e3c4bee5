import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { isLoopback } from '../../src/http/metrics/metrics-access.ts'
import { runCli } from '../helpers/cli.ts'
import { makeAuditReadOnly, tempDir } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'
import { ALICE, type Harness, harness } from './harness.ts'

const TOKEN = 'metrics-token-0123456789abcdef'
const LOOPBACK = { remoteAddress: '127.0.0.1' }
const REMOTE = { remoteAddress: '192.0.2.10' }

/** The value of one sample line (`name{labels} value`), or 0 when the series is absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

describe('isLoopback', () => {
  test('127.0.0.0/8, ::1 and mapped 127.x are loopback; nothing else', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::1%lo']) expect([a, isLoopback(a)]).toEqual([a, true])
    for (const a of [undefined, '', '10.0.0.1', '128.0.0.1', '::2', '::ffff:10.0.0.1', 'fe80::1', '1127.0.0.1', 'localhost']) {
      expect([a, isLoopback(a)]).toEqual([a, false])
    }
  })
})

describeEachDialect('GET /metrics', (dialect) => {
  let h: Harness
  beforeEach(async () => {
    h = await harness({ metricsToken: TOKEN }, dialect)
  })
  afterEach(() => h.close())
  const scrape = async (bindings = LOOPBACK, headers: Record<string, string> = {}) => {
    const res = await h.request('/metrics', { headers }, bindings)
    return { status: res.status, type: res.headers.get('Content-Type'), text: await res.text() }
  }

  test('Prometheus text; requests by route pattern and status, decryptions and audit appends move with requests', async () => {
    const before = await scrape()
    expect(before.status).toBe(200)
    expect(before.type).toStartWith('text/plain; version=0.0.4')
    expect(before.text).toContain('# TYPE secrets_http_requests_total counter')
    const s = await h.login(ALICE)
    expect((await h.as(s, 'POST', '/secrets', { name: 'METRIC_ONE', value: 'SENTINEL-metric-value' })).status).toBe(201)
    expect((await h.as(s, 'GET', '/secrets/NO_SUCH')).status).toBe(404)
    expect((await h.as(s, 'GET', '/secrets/NO_SUCH')).status).toBe(404)
    const after = await scrape()
    expect(sample(after.text, 'secrets_http_requests_total{method="POST",route="/secrets",status="201"}')).toBe(1)
    expect(sample(after.text, 'secrets_http_requests_total{method="GET",route="/secrets/:name",status="404"}')).toBe(2)
    // The first scrape counted, by its route.
    expect(sample(after.text, 'secrets_http_requests_total{method="GET",route="/metrics",status="200"}')).toBe(1)
    expect(sample(after.text, 'secrets_audit_appends_total{action="create",outcome="ok"}')).toBe(1)
    expect(sample(after.text, 'secrets_audit_appends_total{action="login",outcome="ok"}')).toBe(1)
    // Never a path segment, a secret name or a value in a label.
    expect(after.text).not.toContain('NO_SUCH')
    expect(after.text).not.toContain('METRIC_ONE')
    expect(after.text).not.toContain('SENTINEL')
  })

  test('each scrape counts every request once: totals grow by what was answered between scrapes, durations with them', async () => {
    const s = await h.login(ALICE)
    const list = 'secrets_http_requests_total{method="GET",route="/secrets",status="200"}'
    const timed = 'secrets_http_request_duration_seconds_count{method="GET",route="/secrets"}'
    const scrapes = 'secrets_http_requests_total{method="GET",route="/metrics",status="200"}'
    for (let i = 0; i < 3; i++) expect((await h.as(s, 'GET', '/secrets')).status).toBe(200)
    const first = await scrape()
    const second = await scrape()
    for (let i = 0; i < 2; i++) expect((await h.as(s, 'GET', '/secrets')).status).toBe(200)
    const third = await scrape()
    expect([first, second, third].map((x) => [sample(x.text, list), sample(x.text, timed), sample(x.text, scrapes)])).toEqual([
      [3, 3, 0],
      [3, 3, 1],
      [5, 5, 2],
    ])
  })

  test('decryptions and renders count deliveries to a client', async () => {
    const s = await h.login(ALICE)
    await h.as(s, 'POST', '/secrets', { name: 'GITHUB_TOKEN', value: 'ghp-metrics' })
    await h.as(s, 'POST', '/clients', { name: 'ci', grants: ['GITHUB_*'] })
    const { token } = (await (await h.as(s, 'POST', '/clients/ci/tokens')).json()) as { token: string }
    const deliver = (body: string) =>
      h.request('/render', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'X-Secrets-Reason': 'metrics test' }, body })
    expect((await deliver('a=${SECRET:GITHUB_TOKEN}')).status).toBe(200)
    expect((await deliver('a=${SECRET:SLACK_TOKEN}')).status).toBe(403)
    const text = (await scrape()).text
    expect(sample(text, 'secrets_decryptions_total')).toBe(1)
    expect(sample(text, 'secrets_renders_total{outcome="ok"}')).toBe(1)
    expect(sample(text, 'secrets_renders_total{outcome="refused"}')).toBe(1)
    expect(sample(text, 'secrets_audit_appends_total{action="read",outcome="denied"}')).toBe(1)
    expect(text).not.toContain(token.slice(4))
  })

  test('refused from a non-loopback address without the token, with a wrong one, or through a proxy; served with the right one', async () => {
    const refused = [
      await scrape(REMOTE),
      await scrape(REMOTE, { Authorization: 'Bearer wrong-token-0123456789abcdef' }),
      await scrape(REMOTE, { Authorization: `Bearer ${TOKEN}x` }),
      await scrape(REMOTE, { Authorization: TOKEN }),
      await scrape({ remoteAddress: undefined } as never),
      // A proxy on the same host makes every request loopback: a forwarded one is not local.
      await scrape(LOOPBACK, { 'X-Forwarded-For': '198.51.100.1' }),
      await scrape(LOOPBACK, { Forwarded: 'for=198.51.100.1' }),
      // A wrong token is refused from loopback too.
      await scrape(LOOPBACK, { Authorization: 'Bearer wrong' }),
    ]
    for (const r of refused) {
      expect(r.status).toBe(401)
      expect(JSON.parse(r.text).error.code).toBe('unauthenticated')
      expect(r.text).not.toContain('secrets_http')
    }
    const served = await scrape(REMOTE, { Authorization: `Bearer ${TOKEN}` })
    expect(served.status).toBe(200)
    expect(served.text).toContain('secrets_http_requests_total{method="GET",route="/metrics",status="401"} 8')
  })

  test('errors count unexpected failures (here: the audit table refusing writes)', async () => {
    const s = await h.login(ALICE)
    await makeAuditReadOnly(h.ctx)
    expect((await h.as(s, 'POST', '/secrets', { name: 'FAILS', value: 'v' })).status).toBe(500)
    const text = (await scrape()).text
    expect(sample(text, 'secrets_errors_total')).toBe(1)
    expect(sample(text, 'secrets_http_requests_total{method="POST",route="/secrets",status="500"}')).toBe(1)
    expect(sample(text, 'secrets_audit_appends_total{action="create",outcome="ok"}')).toBe(0)
  })

  test('without METRICS_TOKEN a bearer token opens nothing: loopback only', async () => {
    const bare = await harness({}, dialect)
    try {
      expect((await bare.request('/metrics', {}, REMOTE)).status).toBe(401)
      expect((await bare.request('/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } }, REMOTE)).status).toBe(401)
      expect((await bare.request('/metrics', {}, { remoteAddress: '::1' })).status).toBe(200)
    } finally {
      await bare.close()
    }
  })
})

test('serve refuses a malformed METRICS_TOKEN or LOG_FORMAT with exit 78, before opening anything', async () => {
  const tmp = tempDir()
  try {
    const url = `file:${tmp.dir}/never.db`
    for (const [name, value] of [['METRICS_TOKEN', 'short'], ['METRICS_TOKEN', 'has a space in it, sixteen+'], ['LOG_FORMAT', 'xml']] as const) {
      const r = await runCli(['serve', '--port', '0'], { env: { [name]: value, DATABASE_URL: url } })
      expect([name, value, r.code]).toEqual([name, value, 78])
      expect(r.stderr).toContain(`${name} must be`)
      expect(r.stderr).not.toContain(value)
    }
    const { existsSync } = await import('node:fs')
    expect(existsSync(`${tmp.dir}/never.db`)).toBe(false)
  } finally {
    tmp.cleanup()
  }
})
