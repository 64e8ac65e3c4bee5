/**
 * `npm test` runs the UI test files in a `bun test` of their own
 * (scripts/test-suites.ts says why): every test file is in exactly one of
 * the two runs, and Bun really leaves the UI files out of the other.
 */
import { expect, test } from 'bun:test'
import { join, relative } from 'node:path'
import { testSuites, UI_TESTS, UI_TESTS_GLOB } from '../scripts/test-suites.ts'

const ROOT = join(import.meta.dir, '..')
const OUT = '/tmp/results'

test('without arguments, the UI files have a bun test of their own and the other run, isolated, leaves them out', () => {
  const suites = testSuites(ROOT, 'bun', OUT, [])
  const bunRuns = suites.filter((s) => s.cmd[1] === 'test' && s.cmd[0] === 'bun')
  expect(bunRuns.map((s) => s.label)).toEqual(['bun test', 'bun test (UI)'])
  expect(bunRuns[0]!.cmd).toContain(`--path-ignore-patterns=${UI_TESTS_GLOB}`)
  // Each file in a fresh global object, but the UI files in one: zz-globals-restored checks what they leave.
  expect(bunRuns[0]!.cmd).toContain('--isolate')
  expect(bunRuns[1]!.cmd).not.toContain('--isolate')
  expect(bunRuns[1]!.cmd.at(-1)).toBe(UI_TESTS)
  // Each run writes its own report, and scripts/test.ts adds them up.
  expect(new Set(suites.map((s) => s.junit)).size).toBe(suites.length)
  expect(suites.map((s) => s.label)).toEqual(['bun test', 'bun test (UI)', 'deno test', 'deno smoke'])
})

test('every test file is in exactly one of the two runs', () => {
  const ignored = new Bun.Glob(UI_TESTS_GLOB)
  const files = [...new Bun.Glob('test/**/*.test.{ts,tsx}').scanSync({ cwd: ROOT })].map((f) => relative(ROOT, join(ROOT, f)))
  const ui = files.filter((f) => f.startsWith(UI_TESTS))
  const rest = files.filter((f) => !ignored.match(f))
  expect(ui.length).toBeGreaterThan(10)
  expect(rest.length).toBeGreaterThan(100)
  expect(ui.length + rest.length).toBe(files.length)
  expect(ui.filter((f) => rest.includes(f))).toEqual([])
})

test('with arguments, one bun test gets them all and leaves nothing out', () => {
  const suites = testSuites(ROOT, 'bun', OUT, ['test/render', '--bail'])
  const bunRuns = suites.filter((s) => s.cmd[0] === 'bun')
  expect(bunRuns).toHaveLength(1)
  expect(bunRuns[0]!.cmd.slice(-2)).toEqual(['test/render', '--bail'])
  expect(bunRuns[0]!.cmd.some((a) => a.startsWith('--path-ignore-patterns'))).toBe(false)
})

test('Bun honours the ignore pattern: a UI file named on the command line is not run', async () => {
  const proc = Bun.spawn([process.execPath, 'test', `--path-ignore-patterns=${UI_TESTS_GLOB}`, 'test/web/button', 'test/rules'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH! },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited])
  expect(stderr).toContain('test/rules.test.ts')
  expect(stderr).not.toContain('button.test.tsx')
  expect(stderr).toMatch(/across 1 file\b/)
  expect(code).toBe(0)
})
