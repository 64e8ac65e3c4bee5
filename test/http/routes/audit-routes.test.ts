import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { describeEachDialect } from '../../helpers/databases.ts'
import { errorOf, type Harness, harness, type Login } from '../harness.ts'

type Entry = {
  id: number
  at: string
  secret: string | null
  action: string
  accessor: string
  label: string | null
  token_id: string | null
  client_address: string | null
  reason: string
  outcome: string
}
type Page = { entries: Entry[]; next_cursor: string | null }

describeEachDialect('/audit routes', (dialect) => {
  let h: Harness
  let alice: Login
  beforeEach(async () => {
    h = await harness({}, dialect)
    alice = await h.login()
    // 00:00:01 create A; 00:00:02 create GONE; 00:00:03 a CLI read of A; 00:00:04 delete GONE.
    h.clock.tick(1000)
    await h.as(alice, 'POST', '/secrets', { name: 'A', value: 'SENTINEL-value-a' })
    h.clock.tick(1000)
    await h.as(alice, 'POST', '/secrets', { name: 'GONE', value: 'SENTINEL-value-gone' })
    h.clock.tick(1000)
    await h.ctx.service.resolveAll(['A'], { accessor: 'cli:root', label: 'ci', reason: 'render mcp.json' })
    h.clock.tick(1000)
    await h.as(alice, 'DELETE', '/secrets/GONE')
  })
  afterEach(() => h.close())

  const page = async (query = ''): Promise<Page> => {
    const res = await h.as(alice, 'GET', `/audit${query}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('Cache-Control')).toBe('no-store')
    return (await res.json()) as Page
  }

  const noValues = () => {
    for (const body of h.bodies) expect(body).not.toContain('SENTINEL')
  }

  test('every secret, deleted ones included, newest first, with exactly the entry fields and the secret', async () => {
    const { entries, next_cursor } = await page()
    expect(next_cursor).toBeNull()
    expect(entries.map((e) => [e.secret, e.action])).toEqual([
      ['GONE', 'delete'],
      ['A', 'read'],
      ['GONE', 'create'],
      ['A', 'create'],
      // alice's login, a security event: no secret (docs/audit.md).
      [null, 'login'],
    ])
    expect(Object.keys(entries[0]!).sort()).toEqual(
      ['accessor', 'action', 'at', 'client_address', 'id', 'label', 'outcome', 'reason', 'secret', 'token_id', 'version'],
    )
    expect(entries[1]).toMatchObject({ accessor: 'cli:root', label: 'ci', reason: 'render mcp.json', outcome: 'ok', at: '2026-01-01T00:00:03.000Z' })
    noValues()
  })

  test('filters: secret, accessor, action, outcome, since/until, combined', async () => {
    const ids = async (q: string) => (await page(q)).entries.map((e) => `${e.secret}:${e.action}`)
    expect(await ids('?secret=GONE')).toEqual(['GONE:delete', 'GONE:create'])
    expect(await ids('?accessor=cli:root')).toEqual(['A:read'])
    expect(await ids(`?accessor=${encodeURIComponent('operator:alice')}&action=create`)).toEqual(['GONE:create', 'A:create'])
    expect(await ids('?action=read&outcome=ok')).toEqual(['A:read'])
    expect(await ids('?outcome=denied')).toEqual([])
    // since inclusive, until exclusive; a date alone is its midnight UTC.
    expect(await ids('?since=2026-01-01T00:00:02Z&until=2026-01-01T00:00:04.000Z')).toEqual(['A:read', 'GONE:create'])
    expect(await ids('?since=2026-01-01T00:00:04Z')).toEqual(['GONE:delete'])
    expect(await ids('?until=2026-01-01')).toEqual([])
    expect(await ids('?since=2026-01-01&secret=A')).toEqual(['A:read', 'A:create'])
    expect(await ids('?secret=NEVER_THERE')).toEqual([])
  })

  test('pagination across a page boundary: every matching row once, newest first, next_cursor null at the end', async () => {
    // 60 more reads of A: 62 rows match ?secret=A, over pages of 25.
    for (let i = 0; i < 60; i++) {
      h.clock.tick(1000)
      await h.ctx.service.resolveAll(['A'], { accessor: 'cli:root', reason: `read ${i}` })
    }
    const seen: number[] = []
    const sizes: number[] = []
    let cursor: string | null = null
    do {
      const p: Page = await page(`?secret=A&limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      sizes.push(p.entries.length)
      expect(p.entries.every((e) => e.secret === 'A')).toBe(true)
      seen.push(...p.entries.map((e) => e.id))
      cursor = p.next_cursor
    } while (cursor !== null)
    expect(sizes).toEqual([25, 25, 12])
    expect(new Set(seen).size).toBe(62)
    expect(seen).toEqual([...seen].sort((a, b) => b - a))
    // Exactly full: the last page still says null.
    expect((await page('?secret=A&limit=62')).next_cursor).toBeNull()
    expect((await page('?secret=A&limit=61')).next_cursor).not.toBeNull()
    // Stable while rows arrive: the next page goes on below the last id shown.
    const first = await page('?limit=10')
    await h.ctx.service.resolveAll(['A'], { accessor: 'cli:root', reason: 'late' })
    const second = await page(`?limit=10&cursor=${first.next_cursor}`)
    expect(second.entries[0]!.id).toBeLessThan(first.entries[9]!.id)
    expect(second.entries.map((e) => e.reason)).not.toContain('late')
  })

  test('without a session: 401 on the page and the export, and no row leaves', async () => {
    for (const path of ['/audit', '/audit?secret=A', '/audit/export', '/audit/export?secret=A']) {
      const res = await h.request(path)
      expect(res.status).toBe(401)
      expect((await errorOf(res)).code).toBe('unauthenticated')
    }
    const expired = await h.request('/audit', { headers: { Cookie: 'secrets_session=not-a-session' } })
    expect(expired.status).toBe(401)
    for (const body of h.bodies.slice(-5)) expect(body).not.toContain('operator:alice')
  })

  const bad: Array<[string, string, string]> = [
    ['a malformed secret name', '?secret=lower', 'secret'],
    ['secret given twice', '?secret=A&secret=B', 'secret'],
    ['an empty accessor', '?accessor=', 'accessor'],
    ['an accessor with a control character', `?accessor=${encodeURIComponent('cli:\u001b[2J')}`, 'accessor'],
    ['an unknown action', '?action=decrypt', 'action'],
    ['an unknown outcome', '?outcome=fine', 'outcome'],
    ['a since that is no time', '?since=yesterday', 'since'],
    ['a since with an offset', `?since=${encodeURIComponent('2026-01-01T00:00:00+02:00')}`, 'since'],
    ['an impossible date', '?since=2026-02-30', 'since'],
    ['an until that is no time', '?until=SENTINEL', 'until'],
    ['until before since', '?since=2026-01-02&until=2026-01-01', 'until'],
    ['until equal to since', '?since=2026-01-02&until=2026-01-02T00:00Z', 'until'],
    ['limit=0', '?limit=0', 'limit'],
    ['limit=201', '?limit=201', 'limit'],
    ['a garbage cursor', '?cursor=SENTINEL', 'cursor'],
    ['an unknown parameter', '?name=A', 'name'],
  ]
  describe('bad parameters: 400 naming the parameter, never echoing it', () => {
    for (const [label, query, field] of bad) {
      test(label, async () => {
        for (const path of ['/audit', '/audit/export']) {
          if (path === '/audit/export' && (field === 'limit' || field === 'cursor')) continue
          const res = await h.as(alice, 'GET', `${path}${query}`)
          expect(res.status).toBe(400)
          const error = await errorOf(res)
          expect(error).toMatchObject({ code: 'validation_error', field })
          expect(error.message).toStartWith(`${field} `)
          expect(error.message).not.toContain('SENTINEL')
        }
      })
    }
    test('the export takes no paging: limit and cursor are unknown there', async () => {
      for (const [query, field] of [['?limit=5', 'limit'], ['?cursor=abc', 'cursor']] as const) {
        const res = await h.as(alice, 'GET', `/audit/export${query}`)
        expect(res.status).toBe(400)
        expect(await errorOf(res)).toMatchObject({ code: 'validation_error', field })
      }
    })
  })

  test('export: every filtered row as JSON lines, a download, past the batch size, never a value', async () => {
    // 1,100 matching rows: more than two of the export's batches of 500; 6 others of A beside them.
    for (let i = 0; i < 6; i++) await h.ctx.service.resolveAll(['A'], { accessor: 'cli:root', reason: `other ${i}` })
    for (let i = 0; i < 1100; i++) await h.ctx.service.resolveAll(['A'], { accessor: 'cli:bulk', reason: `bulk ${i}` })
    const res = await h.as(alice, 'GET', '/audit/export?secret=A&accessor=cli:bulk')
    expect(res.status).toBe(200)
    expect(res.headers.get('Content-Type')).toBe('application/x-ndjson; charset=utf-8')
    expect(res.headers.get('Content-Disposition')).toMatch(/^attachment; filename="audit-[0-9T-]+Z\.jsonl"$/)
    expect(res.headers.get('Cache-Control')).toBe('no-store')
    const text = await res.text()
    expect(text.endsWith('\n')).toBe(true)
    const rows = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Entry)
    expect(rows).toHaveLength(1100)
    expect(rows.every((r) => r.secret === 'A' && r.accessor === 'cli:bulk')).toBe(true)
    expect(rows.map((r) => r.reason)).toEqual(Array.from({ length: 1100 }, (_, i) => `bulk ${1099 - i}`))
    expect(new Set(rows.map((r) => r.id)).size).toBe(1100)
    const all = await (await h.as(alice, 'GET', '/audit/export')).text()
    expect(all.trimEnd().split('\n')).toHaveLength(4 + 1 + 6 + 1100) // the 4 of beforeEach, alice's login, the 6, the 1,100
    expect(all).toContain('"secret":"GONE"')
    noValues()
  })
})
