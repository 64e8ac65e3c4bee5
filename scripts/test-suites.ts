/**
 * The suites `npm test` runs (scripts/test.ts), each a command and the JUnit
 * file it writes.
 *
 * The UI test files (test/web/) run in a `bun test` process of their own.
 * They register happy-dom for their file and put every global back after it
 * (test/web/dom.ts), but JavaScriptCore's global object stays slower to read
 * from once that many of its properties were added and deleted: a loop over
 * `new Uint8Array` and `Math.max` took 6.9 ms before one register and
 * unregister, 78-84 ms after, and test/render/property.test.ts took 126 s
 * after test/web/ in one process against 28 s without it. In one process
 * every file that `bun test` happened to run after them paid that.
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
      : [bunTest('bun test', 'bun.xml', [`--path-ignore-patterns=${UI_TESTS_GLOB}`]), bunTest('bun test (UI)', 'bun-ui.xml', [UI_TESTS])]),
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
