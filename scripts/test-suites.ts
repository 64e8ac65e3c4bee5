/**
 * The suites `npm test` runs (scripts/test.ts), each a command and the JUnit
 * file it writes.
 *
 * The other files run with `--isolate` (each in a fresh global object), the
 * UI test files (test/web/) in a `bun test` process of their own, without it.
 * A file that adds and deletes many globals leaves JavaScriptCore's global
 * object slower to read from for every file after it: a loop over
 * `new Uint8Array` and `Math.max` took 6.9 ms before one happy-dom register
 * and unregister (test/web/dom.ts puts every global back), 78-84 ms after;
 * test/render/property.test.ts took 126 s after test/web/ in one process,
 * 39 s with `--isolate`, 28 s alone, and still 120 s in the whole suite
 * without test/web/ (other files do the same). The UI run keeps one global
 * object so that test/web/zz-globals-restored.test.ts still checks, after
 * the UI files, that what they changed was put back.
 */
import { join } from 'node:path'

/** One runner invocation: its label, its command, and the JUnit file it writes. */
export interface Suite {
  label: string
  cmd: string[]
  junit: string
}

/** The UI test files: a `bun test` path filter and the glob that leaves them out of the other run. */
export const UI_TESTS = 'test/web/'
export const UI_TESTS_GLOB = 'test/web/**'

/**
 * The suites of a run. With `extra` arguments (a file filter, a flag) one
 * `bun test` gets them all, as before: a filtered run is a developer's quick
 * one, and which of its files are UI files is not known here.
 */
export function testSuites(root: string, bun: string, outDir: string, extra: readonly string[]): Suite[] {
  const bunTest = (label: string, name: string, args: readonly string[]): Suite => {
    const junit = join(outDir, name)
    return { label, cmd: [bun, 'test', '--reporter=junit', `--reporter-outfile=${junit}`, ...args], junit }
  }
  const deno = join(root, 'node_modules/.bin/deno')
  return [
    ...(extra.length > 0
      ? [bunTest('bun test', 'bun.xml', extra)]
      : [bunTest('bun test', 'bun.xml', ['--isolate', `--path-ignore-patterns=${UI_TESTS_GLOB}`]), bunTest('bun test (UI)', 'bun-ui.xml', [UI_TESTS])]),
    {
      // The core (crypto, audit chain arithmetic, renderer) unchanged on Deno, without permissions.
      label: 'deno test',
      cmd: [deno, 'test', '--no-config', '--no-prompt', '--reporter=dot', `--junit-path=${join(outDir, 'deno.xml')}`, 'test/deno/core.deno.ts'],
      junit: join(outDir, 'deno.xml'),
    },
    {
      // The renderer's record/replay path on Deno (a script: exits non-zero on any mismatch).
      label: 'deno smoke',
      cmd: [deno, 'run', '--no-config', '--no-prompt', 'test/render/deno-smoke.ts'],
      junit: join(outDir, 'deno-smoke.none'),
    },
  ]
}
