/**
 * `npm run demo` (scripts/demo.ts) as a newcomer runs it, in a temporary
 * DEMO_DIR so the repository's data/ is never touched: the first run makes a
 * private env file and an operator whose password (printed once) logs in
 * over HTTP; later runs reuse both and print no password; --new-password
 * replaces it. PORT=0 and the URL the demo prints. The env file is a
 * POSIX shell file of `export` lines: `. data/demo.env` gives the CLI the
 * demo's key and database from any directory.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../helpers/context.ts'
import { TEST_TIMEOUT_MS } from '../helpers/depth.ts'
import { ROOT, type RunningChild, startChild } from './processes.ts'

const DEMO = [process.execPath, join(ROOT, 'scripts', 'demo.ts')]
const RUN_MS = TEST_TIMEOUT_MS

describe('npm run demo', () => {
  let tmp: ReturnType<typeof tempDir>
  let demoDir: string
  let running: RunningChild | undefined
  let firstPassword = ''
  let firstEnvFile = ''

  beforeAll(() => {
    tmp = tempDir('chs-demo-')
    demoDir = join(tmp.dir, 'data')
  })
  afterAll(async () => {
    await running?.stop()
    tmp.cleanup()
  })

  /** Starts the demo, waits until it says where it listens; the child and the base URL. */
  async function startDemo(extra: string[] = [], env: Record<string, string> = {}) {
    // A test that failed before stopping its demo must not leave it running behind the next one.
    await running?.stop()
    running = startChild([...DEMO, ...extra], { env: { DEMO_DIR: demoDir, PORT: '0', ...env } })
    const match = await running.waitFor(/Demo running: open (http:\/\/127\.0\.0\.1:\d+)\/settings\/secrets and log in as "demo"\./)
    return { child: running, base: match[1]! }
  }

  async function stopDemo(child: RunningChild) {
    expect(await child.stop()).toBe(0)
    running = undefined
  }

  function login(base: string, password: string) {
    return fetch(`${base}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'demo', password }),
    })
  }

  const PASSWORD_LINE = /shown this once and never again:\n\n {4}(\S+)\n/

  test(
    'first run: a 0600 env file in a 0700 directory, an operator whose password is printed once and logs in',
    async () => {
      const { child, base } = await startDemo()
      const out = child.output()
      expect(out).toContain('for trying the product on this machine, not for real secrets')
      expect(out).toContain('docs/credentials.md')
      expect(out).toContain('Created the operator "demo"')
      expect(out).toContain('npm run demo -- --new-password')
      firstPassword = PASSWORD_LINE.exec(out)?.[1] ?? ''
      expect(firstPassword.length).toBeGreaterThanOrEqual(16)
      expect(out.split(firstPassword)).toHaveLength(2)

      firstEnvFile = join(demoDir, 'demo.env')
      expect(statSync(demoDir).mode & 0o777).toBe(0o700)
      expect(statSync(firstEnvFile).mode & 0o777).toBe(0o600)
      const text = readFileSync(firstEnvFile, 'utf8')
      const key = /^export CLAUDE_HOOKS_SECRET_KEY='(.+)'$/m.exec(text)?.[1] ?? ''
      expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/)
      expect(atob(key)).toHaveLength(32)
      expect(text).toContain(`\nexport DATABASE_URL='file:${join(demoDir, 'demo.db')}'\n`)
      expect(out).toContain(`. ${join(demoDir, 'demo.env')}`)
      // The key is never printed, not even in part.
      expect(out).not.toContain(key.slice(0, 12))
      expect(existsSync(join(demoDir, 'demo.db'))).toBe(true)

      expect((await fetch(`${base}/healthz`)).status).toBe(200)
      expect((await fetch(`${base}/settings/secrets`)).status).toBe(200)
      expect((await login(base, `${firstPassword}x`)).status).toBe(401)
      const ok = await login(base, firstPassword)
      expect(ok.status).toBe(200)
      expect(await ok.json()).toMatchObject({ username: 'demo' })
      await stopDemo(child)
    },
    RUN_MS,
  )

  /** Runs `. ENV_FILE && bin/secrets ARGV` in sh, from `cwd`, with `env` as the caller's environment. */
  async function sourcedCli(envFile: string, argv: string[], cwd: string, env: Record<string, string>) {
    const proc = Bun.spawn(['sh', '-c', '. "$1" && shift && exec "$@"', 'sh', envFile, join(ROOT, 'bin', 'secrets'), ...argv], {
      cwd,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
    return { stdout, stderr, code }
  }

  test(
    '`. demo.env` gives the CLI the demo\'s key and database, from another directory, over a DATABASE_URL already set',
    async () => {
      const elsewhere = join(tmp.dir, 'elsewhere')
      mkdirSync(elsewhere)
      const env = { DATABASE_URL: `file:${join(elsewhere, 'other.db')}` }
      const operators = await sourcedCli(firstEnvFile, ['operator', 'list', '--json'], elsewhere, env)
      expect(operators.stderr).toBe('')
      expect(operators.code).toBe(0)
      expect(JSON.parse(operators.stdout).operators.map((o: { username: string }) => o.username)).toEqual(['demo'])
      expect(await sourcedCli(firstEnvFile, ['list'], elsewhere, env)).toMatchObject({ code: 0, stderr: '' })
      expect(existsSync(join(elsewhere, 'other.db'))).toBe(false)
      expect(existsSync(join(elsewhere, 'data'))).toBe(false)
    },
    RUN_MS,
  )

  test(
    'second run: the same env file and operator, no password printed',
    async () => {
      const before = readFileSync(firstEnvFile, 'utf8')
      const { child, base } = await startDemo()
      const out = child.output()
      expect(out).toContain('Using ')
      expect(out).toContain('Log in as "demo" with the password printed on the first run.')
      expect(out).not.toMatch(/never again/)
      expect(out).not.toContain(firstPassword)
      expect(readFileSync(firstEnvFile, 'utf8')).toBe(before)
      expect((await login(base, firstPassword)).status).toBe(200)
      await stopDemo(child)
    },
    RUN_MS,
  )

  test(
    '--new-password: a new password, printed once; the old one no longer logs in',
    async () => {
      const { child, base } = await startDemo(['--new-password'])
      const out = child.output()
      const next = PASSWORD_LINE.exec(out)?.[1] ?? ''
      expect(next.length).toBeGreaterThanOrEqual(16)
      expect(next).not.toBe(firstPassword)
      expect(out).toContain('Gave a new password to the operator "demo"')
      expect((await login(base, firstPassword)).status).toBe(401)
      expect((await login(base, next)).status).toBe(200)
      await stopDemo(child)
    },
    RUN_MS,
  )

  test(
    'an env file of an earlier demo (KEY=value lines, no export) is rewritten with export lines, same key and database',
    async () => {
      const current = readFileSync(firstEnvFile, 'utf8')
      const key = /^export CLAUDE_HOOKS_SECRET_KEY='(.+)'$/m.exec(current)![1]!
      writeFileSync(firstEnvFile, `# old demo\nCLAUDE_HOOKS_SECRET_KEY=${key}\nDATABASE_URL=file:${join(demoDir, 'demo.db')}\n`, { mode: 0o600 })
      const { child } = await startDemo()
      expect(child.output()).toContain('added `export`')
      await stopDemo(child)
      const text = readFileSync(firstEnvFile, 'utf8')
      expect(text).toContain(`\nexport CLAUDE_HOOKS_SECRET_KEY='${key}'\n`)
      expect(text).toContain(`\nexport DATABASE_URL='file:${join(demoDir, 'demo.db')}'\n`)
      expect(statSync(firstEnvFile).mode & 0o777).toBe(0o600)
      expect(await sourcedCli(firstEnvFile, ['list'], tmp.dir, {})).toMatchObject({ code: 0, stderr: '' })
    },
    RUN_MS,
  )

  test('a database left without its env file is refused with how to start over', async () => {
    const other = join(tmp.dir, 'orphan')
    mkdirSync(other, { mode: 0o700 })
    writeFileSync(join(other, 'demo.db'), '')
    const child = startChild(DEMO, { env: { DEMO_DIR: other, PORT: '0' } })
    expect(await child.proc.exited).toBe(1)
    expect(child.output()).toContain('exists but')
    expect(child.output()).toContain('To start the demo over, remove')
    expect(existsSync(join(other, 'demo.env'))).toBe(false)
  }, RUN_MS)

  test('--help and unknown arguments', async () => {
    const help = startChild([...DEMO, '--help'], { env: {} })
    await help.waitFor(/DEMO_DIR/)
    expect(await help.proc.exited).toBe(0)
    expect(help.output()).toContain('Usage: npm run demo')
    const bad = startChild([...DEMO, '--bogus'], { env: {} })
    expect(await bad.proc.exited).toBe(2)
    expect(bad.output()).toContain('unknown argument --bogus')
  }, RUN_MS)
})
