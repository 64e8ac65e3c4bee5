import { existsSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The Node build (`npm run build` -> dist/cli.js). `npm test` builds it
 * first and sets REQUIRE_BUILD=1, so there a missing build fails; a bare
 * `bun test` without a build skips the suites that run it, and says so in
 * one line.
 */
export const ROOT = join(import.meta.dir, '..', '..')
export const NODE_BUILD = join(ROOT, 'dist', 'cli.js')
export const HAVE_NODE_BUILD = existsSync(NODE_BUILD)
export const BUILD_REQUIRED = process.env.REQUIRE_BUILD === '1'

/** Whether a suite that needs dist/cli.js runs; warns once per file when it is skipped. */
export function nodeBuildRuns(suite: string): boolean {
  if (HAVE_NODE_BUILD || BUILD_REQUIRED) return true
  console.warn(`${suite}: dist/cli.js is missing, so its Node suites are SKIPPED; \`npm run build\` (npm test does it) makes them run.`)
  return false
}
