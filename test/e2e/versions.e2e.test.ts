/**
 * The versions UI in a real browser against the real server (Debian's
 * Chromium driven by playwright-core, `bin/secrets serve --port 0` on a
 * fresh SQLite file): a secret's History after two replaces, a rollback
 * asked first whose value really changes (read back through `secrets
 * render`, never shown by the page), Edit description alone, and two
 * browser contexts editing the same secret, where the second is told (412)
 * instead of overwriting; axe-core finds 0 violations on History and Edit
 * description inside the shell at 1280 and 390 px. The tests run in order
 * and share one page; each step depends on the one before.
 *
 * Without /usr/bin/chromium the suite is skipped (ui.e2e.test.ts says how
 * to install it and fails instead under REQUIRE_CHROMIUM=1).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { TEST_TIMEOUT_MS } from '../helpers/depth.ts'
import { axeViolations, screenshot } from './axe.ts'
import { CHROMIUM, type ConsoleServer, launchChromium, startConsoleServer } from './console-server.ts'
import { randomHex, runSecrets } from './processes.ts'

const STEP_MS = TEST_TIMEOUT_MS

describe.skipIf(!existsSync(CHROMIUM))('versions UI in Chromium against `secrets serve`', () => {
  const NAME = 'VERSIONED'
  const PASSWORD = `e2e password ${randomHex(8)}`
  /** v1, v2 and v3 (two replaces), then what the contexts write */
  const V = [1, 2, 3, 4, 5, 6].map((n) => `e2e-v${n}-${randomHex(12)}`)
  let srv: ConsoleServer | undefined
  let env: Record<string, string>
  let base = ''
  let browser: Browser | undefined
  const contexts: BrowserContext[] = []
  let page: Page
  const bodies: Array<Promise<string>> = []
  const pageErrors: string[] = []
  const mutations: Array<{ method: string; path: string; ifMatch: string | undefined; body: string | null }> = []

  /** The test's own operator session, for making data and reading it back over HTTP. */
  const api = (method: string, path: string, body?: unknown) => srv!.api(method, path, body)

  /** The secret's value as a client of the store sees it: `secrets render` on a placeholder, never the page. */
  async function renderedValue(): Promise<string> {
    const rendered = await runSecrets(['render', '--accessor', 'e2e', '--reason', 'versions e2e'], { env, stdin: `\${SECRET:${NAME}}` })
    expect({ code: rendered.code, stderr: rendered.stderr }).toEqual({ code: 0, stderr: '' })
    return rendered.stdout
  }

  /** A logged-in page of a context of its own (its own cookie jar: another browser, for the server). */
  async function openConsole(): Promise<Page> {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } })
    contexts.push(context)
    const p = await context.newPage()
    p.setDefaultTimeout(TEST_TIMEOUT_MS / 4)
    p.on('pageerror', (error) => pageErrors.push(String(error)))
    p.on('request', (request) => {
      if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(request.method()) || !new URL(request.url()).pathname.startsWith('/secrets')) return
      mutations.push({ method: request.method(), path: new URL(request.url()).pathname, ifMatch: request.headers()['if-match'], body: request.postData() })
    })
    p.on('response', (response) => {
      bodies.push(response.body().then((b) => `${response.url()}\n${JSON.stringify(response.headers())}\n${b.toString('utf8')}`, () => ''))
    })
    await p.goto(`${base}/settings/secrets`)
    await p.getByLabel('Username').fill('alice')
    await p.getByLabel('Password').fill(PASSWORD)
    await p.getByRole('button', { name: 'Log in' }).click()
    await p.locator(`tr[data-secret="${NAME}"]`).waitFor()
    return p
  }

  /** The row's name (details drawer), then `action` there. */
  async function detailsAction(p: Page, action: string): Promise<void> {
    await p.getByRole('button', { name: `${NAME}: details and actions` }).click()
    const details = p.getByRole('dialog', { name: 'Secret' })
    await details.waitFor()
    await details.getByRole('button', { name: action, exact: true }).click()
  }

  async function expectAccessible(where: string, p: Page = page): Promise<void> {
    expect({ where, violations: await axeViolations(p) }).toEqual({ where, violations: [] })
  }

  const versionCell = (p: Page) => p.locator(`tr[data-secret="${NAME}"] .cell-version`)

  beforeAll(async () => {
    srv = await startConsoleServer('chs-e2e-versions-', PASSWORD)
    env = srv.env
    base = srv.base
    // Version 1, then two replaces: versions 2 and 3.
    expect((await api('POST', '/secrets', { name: NAME, value: V[0], description: 'deploy key' })).status).toBe(201)
    expect((await api('PUT', `/secrets/${NAME}`, { value: V[1] })).status).toBe(200)
    expect((await api('PUT', `/secrets/${NAME}`, { value: V[2] })).status).toBe(200)

    browser = await launchChromium()
    page = await openConsole()
  })

  afterAll(async () => {
    try {
      for (const context of contexts) await context.close()
      await browser?.close()
    } finally {
      await srv?.stop()
    }
  })

  test(
    'History after two replaces: versions 3, 2, 1 newest first, 3 current without a rollback, metadata only',
    async () => {
      expect(await versionCell(page).textContent()).toBe('Version v3')
      await detailsAction(page, 'History')
      const drawer = page.getByRole('dialog', { name: 'Version history' })
      await drawer.locator('tbody tr').first().waitFor()
      expect(await drawer.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-version')))).toEqual(['3', '2', '1'])
      expect(await drawer.locator('tr[data-version="3"]').textContent()).toContain('current')
      expect(await drawer.getByRole('button', { name: 'Roll back to version 3' }).count()).toBe(0)
      expect(await drawer.getByRole('button', { name: /^Roll back to version [12]$/ }).count()).toBe(2)
      await expectAccessible('history drawer, 1280 px')
      await screenshot(page, 'history')
      expect(await renderedValue()).toBe(V[2]!)
    },
    STEP_MS,
  )

  test(
    'rollback asks first (Cancel focused; Cancel sends nothing), then writes version 1 as version 4: the store now renders v1',
    async () => {
      const drawer = page.getByRole('dialog', { name: 'Version history' })
      await drawer.getByRole('button', { name: 'Roll back to version 1' }).click()
      const question = drawer.getByRole('group', { name: 'Roll back to version 1?' })
      await question.waitFor()
      expect(await question.textContent()).toContain('as a new version 4')
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel')
      await expectAccessible('rollback question')
      await question.getByRole('button', { name: 'Cancel' }).click()
      await question.waitFor({ state: 'detached' })
      expect(mutations).toEqual([])
      expect(await renderedValue()).toBe(V[2]!)

      await drawer.getByRole('button', { name: 'Roll back to version 1' }).click()
      const rolledBack = page.waitForResponse((r) => r.url() === `${base}/secrets/${NAME}/rollback`)
      await drawer.getByRole('group', { name: 'Roll back to version 1?' }).getByRole('button', { name: 'Roll back' }).click()
      expect((await rolledBack).status()).toBe(200)
      await drawer.locator('tr[data-version="4"]').waitFor()
      expect(await drawer.locator('tr[data-version="4"]').textContent()).toContain('current')
      expect(mutations).toEqual([{ method: 'POST', path: `/secrets/${NAME}/rollback`, ifMatch: '"3"', body: JSON.stringify({ version: 1 }) }])
      await drawer.locator('.banner-notice').getByText('Rolled back: version 4 holds the value of version 1.').waitFor()
      expect(await renderedValue()).toBe(V[0]!)
      await drawer.getByRole('button', { name: 'Close' }).last().click()
      await drawer.waitFor({ state: 'detached' })
      expect(await versionCell(page).textContent()).toBe('Version v4')
    },
    STEP_MS,
  )

  test(
    'Edit description changes the description alone: a PATCH of {description}, same version, same value',
    async () => {
      mutations.length = 0
      await detailsAction(page, 'Edit description')
      const drawer = page.getByRole('dialog', { name: 'Edit description' })
      const input = drawer.getByLabel('Description')
      expect(await input.inputValue()).toBe('deploy key')
      expect(await drawer.locator('input[type="password"], textarea').count()).toBe(0)
      await expectAccessible('edit description drawer, 1280 px')
      await screenshot(page, 'edit-description')
      await input.fill('deploy key, rolled back to v1')
      const patched = page.waitForResponse((r) => r.url() === `${base}/secrets/${NAME}` && r.request().method() === 'PATCH')
      await drawer.getByRole('button', { name: 'Save description' }).click()
      expect((await patched).status()).toBe(200)
      await drawer.waitFor({ state: 'detached' })
      expect(mutations).toEqual([{ method: 'PATCH', path: `/secrets/${NAME}`, ifMatch: '"4"', body: JSON.stringify({ description: 'deploy key, rolled back to v1' }) }])
      expect(await page.locator(`tr[data-secret="${NAME}"] .cell-description`).textContent()).toBe('deploy key, rolled back to v1')
      expect(await versionCell(page).textContent()).toBe('Version v4')
      const stored = (await (await api('GET', `/secrets/${NAME}`)).json()) as { description: string; version: number }
      expect(stored).toMatchObject({ description: 'deploy key, rolled back to v1', version: 4 })
      expect(await renderedValue()).toBe(V[0]!)
    },
    STEP_MS,
  )

  test(
    'two browsers at once: a description saved after the other one replaced the value is refused (412) and said so; saved again on purpose, it lands',
    async () => {
      mutations.length = 0
      const other = await openConsole()
      // This page opens Edit description on version 4; the other replaces the value meanwhile (version 5).
      await detailsAction(page, 'Edit description')
      const edit = page.getByRole('dialog', { name: 'Edit description' })
      await detailsAction(other, 'Replace value')
      const replace = other.getByRole('dialog', { name: 'Replace value' })
      await replace.getByLabel('New value').fill(V[4]!)
      await replace.getByRole('button', { name: 'Replace value' }).click()
      await replace.waitFor({ state: 'detached' })
      expect(await renderedValue()).toBe(V[4]!)

      await edit.getByLabel('Description').fill('set from the first browser')
      const refused = page.waitForResponse((r) => r.url() === `${base}/secrets/${NAME}` && r.request().method() === 'PATCH')
      await edit.getByRole('button', { name: 'Save description' }).click()
      expect((await refused).status()).toBe(412)
      const alert = edit.getByRole('alert')
      await alert.waitFor()
      expect(await alert.textContent()).toContain(`Someone else changed ${NAME} while you were editing (it is now version 5). Nothing of yours was saved`)
      expect(await edit.getByLabel('Description').inputValue()).toBe('set from the first browser')
      expect(await versionCell(page).textContent()).toBe('Version v5')
      await expectAccessible('edit description refused (412)')
      // Nothing was written: the description is the one before, the value the other browser's.
      expect(((await (await api('GET', `/secrets/${NAME}`)).json()) as { description: string }).description).toBe('deploy key, rolled back to v1')

      const saved = page.waitForResponse((r) => r.url() === `${base}/secrets/${NAME}` && r.request().method() === 'PATCH')
      await edit.getByRole('button', { name: 'Save description' }).click()
      expect((await saved).status()).toBe(200)
      await edit.waitFor({ state: 'detached' })
      expect(mutations.map((m) => [m.method, m.ifMatch])).toEqual([
        ['PUT', '"4"'],
        ['PATCH', '"4"'],
        ['PATCH', '"5"'],
      ])
      expect(((await (await api('GET', `/secrets/${NAME}`)).json()) as { description: string }).description).toBe('set from the first browser')
      expect(await renderedValue()).toBe(V[4]!)
    },
    STEP_MS,
  )

  test(
    'two browsers at once: the second replace of a value is refused (412) rather than overwriting the first',
    async () => {
      mutations.length = 0
      const other = (await contexts[1]!.pages())[0]!
      await other.reload()
      await other.locator(`tr[data-secret="${NAME}"]`).waitFor()
      await detailsAction(page, 'Replace value')
      await detailsAction(other, 'Replace value')
      const first = page.getByRole('dialog', { name: 'Replace value' })
      const second = other.getByRole('dialog', { name: 'Replace value' })
      await first.getByLabel('New value').fill(V[5]!)
      await first.getByRole('button', { name: 'Replace value' }).click()
      await first.waitFor({ state: 'detached' })
      expect(await renderedValue()).toBe(V[5]!)

      await second.getByLabel('New value').fill(V[3]!)
      const refused = other.waitForResponse((r) => r.url() === `${base}/secrets/${NAME}` && r.request().method() === 'PUT')
      await second.getByRole('button', { name: 'Replace value' }).click()
      expect((await refused).status()).toBe(412)
      await second.getByRole('alert').getByText(`Someone else changed ${NAME} while you were editing (it is now version 6).`, { exact: false }).waitFor()
      expect(await renderedValue()).toBe(V[5]!)
      expect(mutations.map((m) => [m.method, m.ifMatch])).toEqual([
        ['PUT', '"5"'],
        ['PUT', '"5"'],
      ])
      await second.getByRole('button', { name: 'Cancel' }).click()
      await second.waitFor({ state: 'detached' })
    },
    STEP_MS,
  )

  test(
    'at 390 px History and Edit description fit and have 0 axe violations',
    async () => {
      await page.setViewportSize({ width: 390, height: 844 })
      await detailsAction(page, 'History')
      const history = page.getByRole('dialog', { name: 'Version history' })
      await history.locator('tbody tr').first().waitFor()
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390)
      // Every version's Roll back is on screen (a card a version), and the page's last notice hides no button of the drawer.
      for (const box of await history.getByRole('button', { name: /^Roll back to version/ }).evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right))) {
        expect(box).toBeLessThanOrEqual(390)
      }
      expect(await page.locator('.toast').count()).toBe(1)
      const close = history.locator('.drawer-footer').getByRole('button', { name: 'Close' })
      expect(
        await close.evaluate((button) => {
          const r = button.getBoundingClientRect()
          return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === button
        }),
      ).toBe(true)
      await expectAccessible('history drawer, 390 px')
      await screenshot(page, 'history-mobile')
      await page.keyboard.press('Escape')
      await history.waitFor({ state: 'detached' })
      await detailsAction(page, 'Edit description')
      const edit = page.getByRole('dialog', { name: 'Edit description' })
      await edit.getByLabel('Description').waitFor()
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390)
      await expectAccessible('edit description drawer, 390 px')
      await page.keyboard.press('Escape')
      await edit.waitFor({ state: 'detached' })
      await page.setViewportSize({ width: 1280, height: 800 })
    },
    STEP_MS,
  )

  test(
    'no page error, and no response either browser got holds a value',
    async () => {
      expect(pageErrors).toEqual([])
      for (const body of await Promise.all(bodies)) for (const value of V) expect(body).not.toContain(value)
    },
    STEP_MS,
  )
})
