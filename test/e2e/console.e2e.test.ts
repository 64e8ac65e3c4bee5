/**
 * The Activity and Clients pages in a real browser against the real server:
 * Debian's Chromium driven by playwright-core, `bin/secrets serve --port 0`
 * on a fresh SQLite file. The data is made over HTTP by the test itself (an
 * operator session of its own), then one browser session walks the pages;
 * each step depends on the one before.
 *
 * Without /usr/bin/chromium the suite is skipped (ui.e2e.test.ts says how
 * to install it and fails instead under REQUIRE_CHROMIUM=1).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { ensureWebBuild } from '../../scripts/build-web.ts'
import { tempDir } from '../helpers/context.ts'
import { TEST_TIMEOUT_MS } from '../helpers/depth.ts'
import { randomKey } from '../helpers/keys.ts'
import { BIN, type RunningChild, randomHex, runSecrets, startChild } from './processes.ts'

const CHROMIUM = '/usr/bin/chromium'
const STEP_MS = TEST_TIMEOUT_MS

describe.skipIf(!existsSync(CHROMIUM))('Activity and Clients pages in Chromium against `secrets serve`', () => {
  const PASSWORD = `e2e password ${randomHex(8)}`
  const VALUE = `e2e-console-${randomHex(12)}`
  let tmp: ReturnType<typeof tempDir>
  let server: RunningChild | undefined
  let base = ''
  let browser: Browser | undefined
  let page: Page
  const bodies: Array<Promise<string>> = []
  const pageErrors: string[] = []

  /** An operator session of the test's own, for making data over HTTP. */
  let session = { cookie: '', csrf: '' }
  async function api(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Cookie: session.cookie, 'X-CSRF-Token': session.csrf }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    return fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  }

  beforeAll(async () => {
    tmp = tempDir('chs-e2e-console-')
    const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${join(tmp.dir, 'secrets.db')}` }
    expect((await runSecrets(['operator', 'add', 'alice'], { env, stdin: `${PASSWORD}\n` })).code).toBe(0)
    await ensureWebBuild({ quiet: true })
    server = startChild([BIN, 'serve', '--port', '0'], { env })
    base = (await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+) /))[1]!

    const login = await fetch(`${base}/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: PASSWORD }),
    })
    expect(login.status).toBe(200)
    session = { cookie: login.headers.get('Set-Cookie')!.split(';')[0]!, csrf: ((await login.json()) as { csrf_token: string }).csrf_token }
    // 61 rows of KEEP (a create, 60 rotations): more than a page of 50. GONE: created, then deleted.
    expect((await api('POST', '/secrets', { name: 'KEEP', value: VALUE })).status).toBe(201)
    for (let i = 0; i < 60; i++) expect((await api('POST', '/secrets/KEEP/rotate')).status).toBe(200)
    expect((await api('POST', '/secrets', { name: 'GONE', value: VALUE })).status).toBe(201)
    expect((await api('DELETE', '/secrets/GONE')).status).toBe(204)

    const { chromium } = await import('playwright-core')
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
    })
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })
    page = await context.newPage()
    page.setDefaultTimeout(TEST_TIMEOUT_MS / 4)
    page.on('pageerror', (error) => pageErrors.push(String(error)))
    page.on('response', (response) => {
      bodies.push(response.body().then((b) => `${response.url()}\n${b.toString('utf8')}`, () => ''))
    })
  })

  afterAll(async () => {
    try {
      await browser?.close()
      const code = await server?.stop()
      if (server && code !== 0) throw new Error(`the server exited with ${code}; its output:\n${server.output()}`)
    } finally {
      tmp?.cleanup()
    }
  })

  test(
    'logs in, then the Activity link shows every secret newest first, in words, counted as 50+',
    async () => {
      await page.goto(`${base}/settings/secrets`)
      await page.getByLabel('Username').fill('alice')
      await page.getByLabel('Password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Log in' }).click()
      await page.getByRole('heading', { level: 1, name: 'Secrets' }).waitFor()
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Activity' }).click()
      await page.getByRole('heading', { level: 1, name: 'Activity' }).waitFor()
      expect(new URL(page.url()).pathname).toBe('/settings/activity')
      await page.getByText('Showing the newest 50+ entries').waitFor()
      const first = page.locator('tbody tr').first()
      expect(await first.locator('[data-action]').textContent()).toBe('Deleted')
      expect(await first.locator('code').textContent()).toBe('GONE')
      expect(await first.locator('.abs-time').first().textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/)
      expect(await page.locator('main').innerText()).not.toContain('http POST')
      expect(await page.locator('tbody tr').count()).toBe(50)
    },
    STEP_MS,
  )

  test(
    'filters live in the URL: a filtered view survives a reload, and Back undoes the filter',
    async () => {
      const form = page.getByRole('form', { name: 'Filter activity' })
      await form.getByLabel('Secret').fill('GONE')
      await form.getByRole('button', { name: 'Apply filters' }).click()
      await page.getByText('2 entries, that is all').waitFor()
      expect(new URL(page.url()).search).toBe('?secret=GONE')
      await page.reload()
      await page.getByText('2 entries, that is all').waitFor()
      expect(await page.getByRole('form', { name: 'Filter activity' }).getByLabel('Secret').inputValue()).toBe('GONE')
      await page.goBack()
      await page.getByText('Showing the newest 50+ entries').waitFor()
      expect(new URL(page.url()).search).toBe('')
    },
    STEP_MS,
  )

  test(
    'a refused filter is shown at its field',
    async () => {
      const form = page.getByRole('form', { name: 'Filter activity' })
      await form.getByLabel(/^From/).fill('yesterday')
      await form.getByRole('button', { name: 'Apply filters' }).click()
      const since = page.getByRole('form', { name: 'Filter activity' }).getByLabel(/^From/)
      await page.locator('.field-error').waitFor()
      expect(await since.getAttribute('aria-invalid')).toBe('true')
      expect(await page.locator('.field-error').textContent()).toStartWith('since must be an ISO 8601 UTC time')
      await page.getByRole('button', { name: 'Clear filters' }).click()
      await page.getByText('Showing the newest 50+ entries').waitFor()
    },
    STEP_MS,
  )

  test(
    'the export downloads every filtered row (61 of KEEP, more than the 50 loaded), and no value',
    async () => {
      const form = page.getByRole('form', { name: 'Filter activity' })
      await form.getByLabel('Secret').fill('KEEP')
      await form.getByRole('button', { name: 'Apply filters' }).click()
      await page.getByText('Showing the newest 50+ entries').waitFor()
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export JSON lines' }).click()])
      expect(download.suggestedFilename()).toMatch(/^audit-.*\.jsonl$/)
      const file = join(tmp.dir, 'export.jsonl')
      await download.saveAs(file)
      const text = readFileSync(file, 'utf8')
      const rows = text.trimEnd().split('\n').map((line) => JSON.parse(line) as { secret: string; action: string })
      expect(rows).toHaveLength(61)
      expect(rows.every((r) => r.secret === 'KEEP')).toBe(true)
      expect(rows.at(-1)!.action).toBe('create')
      expect(text).not.toContain(VALUE)
    },
    STEP_MS,
  )

  test(
    'no page error, and no response the browser got holds a value',
    async () => {
      expect(pageErrors).toEqual([])
      for (const body of await Promise.all(bodies)) expect(body).not.toContain(VALUE)
    },
    STEP_MS,
  )
})
