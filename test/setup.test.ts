/**
 * The suite timeout of test/setup.ts reaches every file of a run, not only
 * the first (Bun resets `setDefaultTimeout` after each file). A child
 * `bun test` runs two probe files that each sleep 1.5 s under a CLI
 * `--timeout` of 1 s; only the preload's TEST_TIMEOUT_MS of 4 s lets both pass.
 */
import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { TEST_TIMEOUT_MS } from './helpers/depth.ts'

const ROOT = join(import.meta.dir, '..')
const probes = ['a', 'b'].map((f) => `./test/fixtures/timeout/${f}.probe.ts`)

async function probeRun(env: Record<string, string>, cwd = ROOT) {
  const proc = Bun.spawn([process.execPath, 'test', '--timeout', '1000', ...probes.map((p) => join(ROOT, p))], {
    cwd,
    env: { PATH: process.env.PATH!, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited])
  return { stderr, code }
}

test('the suite timeout is in force in every file of a run', async () => {
  const run = await probeRun({ TEST_TIMEOUT_MS: '4000' })
  expect(run.stderr).toContain(' 2 pass')
  expect(run.stderr).toContain(' 0 fail')
  expect(run.code).toBe(0)
})

test('without the preload the same probes time out (the probe can fail)', async () => {
  // Started outside the repository, bunfig.toml and its preload are not read.
  const run = await probeRun({ TEST_TIMEOUT_MS: '4000' }, '/')
  expect(run.stderr).toContain('timed out after 1000ms')
  expect(run.code).not.toBe(0)
})

test('the default is far above Bun\'s 5 s, and TEST_TIMEOUT_MS is validated', async () => {
  if (!process.env.TEST_TIMEOUT_MS) expect(TEST_TIMEOUT_MS).toBe(120_000)
  const bad = Bun.spawnSync([process.execPath, '-e', "await import('./test/helpers/depth.ts')"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, TEST_DEPTH: '0' },
    stderr: 'pipe',
  })
  expect(bad.exitCode).not.toBe(0)
  expect(bad.stderr.toString()).toContain('TEST_DEPTH must be a whole number of at least 1, got "0"')
})
