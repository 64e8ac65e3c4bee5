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
import { TEST_TIMEOUT_MS } from '../helpers/depth.ts'
import { axeViolations } from './axe.ts'
import { CHROMIUM, type ConsoleServer, launchChromium, startConsoleServer } from './console-server.ts'
import { randomHex } from './processes.ts'

const STEP_MS = TEST_TIMEOUT_MS

describe.skipIf(!existsSync(CHROMIUM))('Activity and Clients pages in Chromium against `secrets serve`', () => {
  const PASSWORD = `e2e password ${randomHex(8)}`
  const VALUE = `e2e-console-${randomHex(12)}`
  let srv: ConsoleServer | undefined
  let tmp: ConsoleServer['tmp']
  let base = ''
  let browser: Browser | undefined
  let page: Page
  const bodies: Array<Promise<string>> = []
  const pageErrors: string[] = []

  /** The test's own operator session, for making data over HTTP. */
  const api = (method: string, path: string, body?: unknown) => srv!.api(method, path, body)

  beforeAll(async () => {
    srv = await startConsoleServer('chs-e2e-console-', PASSWORD)
    tmp = srv.tmp
    base = srv.base
    // 111 rows of KEEP (a create, 60 rotations, 50 prunes of old versions): more than a page of 50. GONE: created, then deleted.
    expect((await api('POST', '/secrets', { name: 'KEEP', value: VALUE })).status).toBe(201)
    for (let i = 0; i < 60; i++) expect((await api('POST', '/secrets/KEEP/rotate')).status).toBe(200)
    expect((await api('POST', '/secrets', { name: 'GONE', value: VALUE })).status).toBe(201)
    expect((await api('DELETE', '/secrets/GONE')).status).toBe(204)

    browser = await launchChromium()
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
    } finally {
      await srv?.stop()
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
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity' }).click()
      await page.getByRole('heading', { level: 1, name: 'Activity' }).waitFor()
      expect(new URL(page.url()).pathname).toBe('/settings/activity')
      await page.getByText('Showing the newest 50+ entries').waitFor()
      // Newest first: the browser's own login (a security event, no secret), then the delete of GONE.
      const [login, first] = [page.locator('tbody tr').nth(0), page.locator('tbody tr').nth(1)]
      expect(await login.locator('[data-action]').textContent()).toBe('Operator logged in')
      expect(await first.locator('[data-action]').textContent()).toBe('Deleted')
      expect(await first.locator('code').textContent()).toBe('GONE')
      expect(await first.locator('.abs-time').first().textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/)
      expect(await page.locator('main').innerText()).not.toContain('http POST')
      expect(await page.locator('tbody tr').count()).toBe(50)
      expect(await axeViolations(page)).toEqual([])
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
    'the export downloads every filtered row (111 of KEEP, more than the 50 loaded), and no value',
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
      // A create and 60 rotations make versions 1 to 61; past the 10 kept, each new one prunes the oldest (50 prune rows).
      const counts: Record<string, number> = {}
      for (const r of rows) counts[r.action] = (counts[r.action] ?? 0) + 1
      expect(counts).toEqual({ create: 1, rotate: 60, prune: 50 })
      expect(rows.every((r) => r.secret === 'KEEP')).toBe(true)
      expect(rows.at(-1)!.action).toBe('create')
      expect(text).not.toContain(VALUE)
    },
    STEP_MS,
  )

  let token = ''
  const resolve = (t: string) =>
    fetch(`${base}/resolve`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t}`, 'X-Secrets-Reason': 'e2e', 'Content-Type': 'application/json' },
      body: JSON.stringify({ names: ['KEEP'] }),
    })

  test(
    'Clients: add one with a grant, issue a token shown once, copy it; once closed it is nowhere in the page, and one answer held it',
    async () => {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click()
      await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor()
      await page.getByRole('button', { name: 'Add client' }).click()
      const drawer = page.getByRole('dialog', { name: 'Add client' })
      await drawer.getByLabel('Name').fill('mcp-e2e')
      await drawer.getByLabel('Grants').fill('KEEP')
      await drawer.getByRole('button', { name: 'Add client' }).click()
      const issue = page.getByRole('dialog', { name: 'Issue a token' })
      await issue.getByLabel('Expires after').selectOption('30d')
      const issued = page.waitForResponse((r) => r.url() === `${base}/clients/mcp-e2e/tokens` && r.request().method() === 'POST')
      await issue.getByRole('button', { name: 'Issue token' }).click()
      expect((await issued).status()).toBe(201)
      const shown = page.getByRole('dialog', { name: 'Token issued' })
      token = (await shown.locator('[data-token-value]').textContent())!
      expect(await axeViolations(page)).toEqual([])
      expect(token).toMatch(/^chs_[A-Za-z0-9_-]{43}$/)
      const command = (await shown.locator('[data-command]').textContent())!
      expect(command).toStartWith(`CLAUDE_HOOKS_SECRETS_URL=${base} CLAUDE_HOOKS_SECRETS_TOKEN_FILE=$PWD/mcp-e2e.token npx secrets render`)
      await shown.getByRole('button', { name: 'Copy token' }).click()
      await shown.getByText('Copied.').waitFor()
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token)
      await shown.getByRole('button', { name: 'Done, I saved it' }).click()
      await shown.waitFor({ state: 'detached' })
      // Overwrite the clipboard, so the page-wide check below reads the page, not it.
      await page.evaluate(() => navigator.clipboard.writeText(''))
      const left = await page.evaluate(() => document.documentElement.outerHTML + JSON.stringify({ ...localStorage, ...sessionStorage }) + location.href)
      expect(left).not.toContain(token.slice(4))
      await page.locator('[data-client="mcp-e2e"] tbody tr').first().waitFor()
      expect(await axeViolations(page)).toEqual([])
      const holding = (await Promise.all(bodies)).filter((b) => b.includes(token.slice(4)))
      expect(holding.map((b) => b.split('\n')[0])).toEqual([`${base}/clients/mcp-e2e/tokens`])
      // The token works, as a client would use it.
      expect((await resolve(token)).status).toBe(200)
    },
    STEP_MS,
  )

  test(
    "Clients: the client's access history shows its read; revoke (confirmed) ends the token; remove (confirmed) ends the client",
    async () => {
      await page.getByRole('button', { name: 'Access history of mcp-e2e' }).click()
      const history = page.getByRole('dialog', { name: 'Access history' })
      await history.getByText('1 entry, that is all').waitFor()
      expect(await history.locator('tbody tr [data-action]').textContent()).toBe('Value read')
      expect(await history.locator('tbody tr code').textContent()).toBe('KEEP')
      expect(await axeViolations(page)).toEqual([])
      await history.getByRole('button', { name: 'Close' }).first().click()
      await history.waitFor({ state: 'detached' })

      const id = (await page.locator('[data-client="mcp-e2e"] tbody tr').first().getAttribute('data-token'))!
      await page.getByRole('button', { name: `Revoke token ${id}` }).click()
      await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke token' }).click()
      await page.getByText(`Token ${id} of mcp-e2e revoked.`).waitFor()
      expect(await page.locator(`tr[data-token="${id}"] .badge`).textContent()).toBe('revoked')
      expect((await resolve(token)).status).toBe(401)

      await page.getByRole('button', { name: 'Remove mcp-e2e' }).click()
      await page.getByRole('alertdialog').getByRole('button', { name: 'Remove client' }).click()
      await page.locator('[data-client="mcp-e2e"]').waitFor({ state: 'detached' })
      expect((await api('GET', '/clients/mcp-e2e')).status).toBe(404)
    },
    STEP_MS,
  )

  test(
    'at 390 px the Activity and Clients pages do not scroll sideways (wide tables scroll in their own box), with 0 axe violations',
    async () => {
      await page.setViewportSize({ width: 390, height: 800 })
      for (const path of ['/settings/activity', '/settings/clients']) {
        await page.goto(`${base}${path}`)
        await page.getByRole('heading', { level: 1 }).waitFor()
        if (path.endsWith('activity')) await page.locator('tbody tr').first().waitFor()
        const width = await page.evaluate(() => document.documentElement.scrollWidth)
        expect({ path, width }).toEqual({ path, width: 390 })
        expect(await axeViolations(page)).toEqual([])
      }
      await page.setViewportSize({ width: 1280, height: 800 })
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
