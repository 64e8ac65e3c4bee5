/**
 * Accessibility and screenshot helpers for the Chromium suite.
 *
 * axe-core is evaluated through the DevTools protocol (`page.evaluate` of its
 * source), which the page's Content-Security-Policy does not govern: the
 * product's CSP stays as strict as it ships, and the suite's CSP check still
 * sees every real violation.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'

const AXE_SOURCE = readFileSync(join(import.meta.dir, '../../node_modules/axe-core/axe.min.js'), 'utf8')

/** One violation, trimmed to what a failure message needs. */
export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  targets: string[]
}

/** Runs axe-core on the whole page as it is now; every violation of any impact. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined')
  if (!loaded) await page.evaluate(AXE_SOURCE)
  // A drawer sliding in is half transparent: contrast is only meaningful once animations are over.
  await page.evaluate(() => Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined))))
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, options: object) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe
    const result = await axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }))
  })
}

/** Where the docs' screenshots live. */
export const SCREENSHOT_DIR = join(import.meta.dir, '../../docs/screenshots')

/** Writes docs/screenshots/NAME.png when UPDATE_SCREENSHOTS=1 (the suite's own run refreshes the docs). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return
  // Let the toast and row highlight settle so pictures are stable.
  await page.waitForTimeout(300)
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' })
}
