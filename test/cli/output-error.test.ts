/**
 * The real executable when its output cannot be written: a full disk
 * (/dev/full fails every write with ENOSPC) and a reader that went away
 * (`| head -c 1` on more output than a pipe holds). One line naming the
 * output, never the database, never a stack trace, never the value.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BIN, runBin } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { randomKey } from '../helpers/keys.ts'

const VALUE = 'v-S3cr3t-output-value'
let tmp: ReturnType<typeof tempDir>
let env: Record<string, string>
let big: string

beforeAll(async () => {
  tmp = tempDir()
  env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file://${join(tmp.dir, 's.db')}` }
  expect((await runBin(['set', 'A'], { env, stdin: VALUE })).code).toBe(0)
  // 4 MiB rendered, 110,000 placeholders listed by --check: both far more than a pipe holds.
  big = join(tmp.dir, 'big.txt')
  writeFileSync(big, `${'x'.repeat(20)} \${SECRET:A}\n`.repeat(110_000))
})
afterAll(() => tmp.cleanup())

/** Runs `secrets ARGV` with standard output on `shell` (a redirection or a pipe); its exit status and stderr. */
async function runInto(shell: string, argv: string[]): Promise<{ code: number; stderr: string }> {
  const rcFile = join(tmp.dir, 'rc')
  writeFileSync(rcFile, '')
  const script = `"$0" "$@" ${shell}; echo "\${PIPESTATUS[0]}" > "$RC_FILE"`
  const proc = Bun.spawn(['bash', '-c', script, BIN, ...argv], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', RC_FILE: rcFile, ...env },
    cwd: tmp.dir,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
  })
  const stderr = await new Response(proc.stderr).text()
  await proc.exited
  return { code: Number(readFileSync(rcFile, 'utf8').trim()), stderr }
}

function expectOneLine(r: { code: number; stderr: string }, code: number, parts: string[]): void {
  expect(r.stderr).not.toContain(VALUE)
  expect(r.stderr).not.toContain('database')
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
  for (const p of parts) expect(r.stderr).toContain(p)
  expect(r.code).toBe(code)
}

describe('a full disk under the output: exit 1, one line naming the output', () => {
  const full = ['cannot write standard output: no space left on device (ENOSPC)']
  test('get: the value was read and audited, and that is said', async () => {
    expectOneLine(await runInto('> /dev/full', ['get', 'A', '--reason', 't']), 1, [...full, 'the read of A was audited'])
  })

  test('render to standard output and to OUT /dev/full', async () => {
    const reads = 'the reads of 1 secret were audited'
    expectOneLine(await runInto('> /dev/full', ['render', '--accessor', 't', '--reason', 't', big]), 1, [...full, reads])
    expectOneLine(await runInto('', ['render', '--accessor', 't', '--reason', 't', big, '/dev/full']), 1, [
      'cannot write OUT /dev/full: no space left on device (ENOSPC)',
      reads,
    ])
  })

  for (const argv of [['list'], ['--help'], ['list', '--help'], ['audit', 'verify'], ['audit', 'export'], ['keygen'], ['render', '--check', 'BIG']]) {
    test(`${argv.join(' ')}`, async () => {
      expectOneLine(await runInto('> /dev/full', argv.map((a) => (a === 'BIG' ? big : a))), 1, full)
    })
  }
})

describe('a reader that went away', () => {
  test('of text (render --check, help): nothing said, exit 0, as the standard tools', async () => {
    for (const argv of [['render', '--check', big]]) {
      const r = await runInto('| head -c 1 > /dev/null', argv)
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
    }
  })

  test('of values (render): exit 1, said, since the consumer did not get them all', async () => {
    const r = await runInto('| head -c 1 > /dev/null', ['render', '--accessor', 't', '--reason', 't', big])
    expectOneLine(r, 1, ['cannot write standard output: its reader closed it before everything was written (EPIPE)', 'the reads of 1 secret were audited'])
  })
})
