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

/** The two builds a suite can run: Bun from the sources, and the Node build when it exists. */
export function runtimes(suite: string): Array<{ name: string; cmd: string[]; runs: boolean }> {
  return [
    { name: 'bun', cmd: [join(ROOT, 'bin', 'secrets')], runs: true },
    { name: 'node', cmd: ['node', NODE_BUILD], runs: nodeBuildRuns(suite) },
  ]
}

/** Runs a command with only PATH, HOME and `env`, stdin given or none (in `cwd`, if given); its output and exit code. */
export async function runProcess(cmd: string[], env: Record<string, string>, stdin?: string, cwd?: string) {
  const proc = Bun.spawn(cmd, {
    ...(cwd === undefined ? {} : { cwd }),
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
    stdin: stdin === undefined ? 'ignore' : new Blob([stdin]),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { stdout, stderr, code }
}

/** The library's Node build (`npm run build` -> dist/index.js and dist/types/, scripts/build-lib.ts). */
export const LIBRARY_BUILD = join(ROOT, 'dist', 'index.js')

/** Whether a suite that needs dist/index.js runs: as {@link nodeBuildRuns}, for the library build. */
export function libraryBuildRuns(suite: string): boolean {
  if (existsSync(LIBRARY_BUILD) || BUILD_REQUIRED) return true
  console.warn(`${suite}: dist/index.js is missing, so its Node suites are SKIPPED; \`npm run build\` (npm test does it) makes them run.`)
  return false
}
