import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { CliIO } from '../../src/cli/io.ts'
import { main } from '../../src/cli/main.ts'
import { OperatorService } from '../../src/operators/operator.service.ts'
import { openStore } from '../../src/store/database.ts'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'

// A file database: each `main` call opens and closes the store, as the real command does.
// Changes need the master key (each leaves an audit row); `list` does not (test/audit/security-events.test.ts).
describeEachDialect('operator CLI', (dialect) => {
  let tmp: ReturnType<typeof tempDir>
  let db: Awaited<ReturnType<typeof freshDatabase>>
  let env: Record<string, string>
  const PASSWORD = 'SENTINEL-correct-horse'

  beforeAll(async () => {
    tmp = tempDir()
    db = await freshDatabase(dialect, `file:${join(tmp.dir, 'ops.db')}`)
    env = { DATABASE_URL: db.url, CLAUDE_HOOKS_SECRET_KEY: randomKey() }
  })
  afterAll(async () => {
    await db.drop()
    tmp.cleanup()
  })

  const cli = (argv: string[], stdin?: string, tty?: string) => runCli(['operator', ...argv], { env, stdin, tty })

  async function authenticate(username: string, password: string): Promise<string | undefined> {
    const store = await openStore(env.DATABASE_URL)
    try {
      return await new OperatorService({ db: store.db }).authenticate(username, password)
    } finally {
      await store.close()
    }
  }

  describe('secrets operator', () => {
    test('add reads the password from stdin (dropping one trailing newline) and stores a usable hash', async () => {
      const r = await cli(['add', 'alice'], `${PASSWORD}\n`)
      expect(r).toEqual({ code: 0, stdout: 'added operator alice\n', stderr: '' })
      expect(await authenticate('alice', PASSWORD)).toBe('alice')
    })

    test('add refuses an existing username (exit 1, nothing changed)', async () => {
      const r = await cli(['add', 'alice'], 'another long password')
      expect(r.code).toBe(1)
      expect(r.stderr).toBe('secrets: operator alice already exists\n')
      expect(await authenticate('alice', PASSWORD)).toBe('alice')
    })

    test('add refuses a short password without echoing it (exit 1)', async () => {
      const r = await cli(['add', 'bob'], 'SENTINEL-11')
      expect(r.code).toBe(1)
      expect(r.stderr).toBe('secrets: password must be at least 12 characters\n')
      expect(r.stdout + r.stderr).not.toContain('SENTINEL')
    })

    test('add refuses a malformed username before reading any password (exit 1)', async () => {
      // On a terminal: asking for the password first would show its prompt.
      const r = await cli(['add', 'Bob'], undefined, PASSWORD)
      expect(r.code).toBe(1)
      expect(r.stderr).toStartWith('secrets: username must be 1 to 64 characters')
      expect(r.stderr).not.toContain('Password for')
      expect(r.stderr).not.toContain('SENTINEL')
    })

    test('add on a terminal asks twice with echo off', async () => {
      const r = await cli(['add', 'carol'], undefined, 'typed on a terminal')
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('Password for carol (input hidden): Repeat the password: ')
      expect(await authenticate('carol', 'typed on a terminal')).toBe('carol')
    })

    test('add on a terminal refuses two different passwords', async () => {
      const answers = ['first long password', 'second long password']
      let stderr = ''
      const io: CliIO = {
        env,
        stdout: () => {},
        stderr: (t) => {
          stderr += t
        },
        readStdin: async () => new Uint8Array(),
        readHidden: async () => answers.shift(),
        stdinIsTTY: true,
        stderrIsTTY: true,
      }
      expect(await main(['operator', 'add', 'dave'], io)).toBe(1)
      expect(stderr).toEndWith('secrets: the two passwords differ; nothing was changed\n')
      expect(stderr).not.toContain('long password')
    })

    test('list prints usernames and times, never hashes; --json too', async () => {
      const store = await openStore(env.DATABASE_URL)
      await new OperatorService({ db: store.db, passwordParams: { ln: 10, r: 8, p: 1 } }).add('erin', 'never logged in yet')
      await store.close()
      const r = await cli(['list'])
      expect(r.code).toBe(0)
      expect(r.stdout.split('\n')[0]).toMatch(/^USERNAME\s+ADDED\s+LAST LOGIN$/)
      expect(r.stdout).toMatch(/^alice\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s+\d{4}-/m)
      expect(r.stdout).toMatch(/^erin\s+\S+ \S+\s+never$/m)
      expect(r.stdout).not.toContain('scrypt')
      const json = await cli(['list', '--json'])
      const parsed = JSON.parse(json.stdout) as { operators: Array<{ username: string }> }
      expect(parsed.operators.map((o) => o.username)).toEqual(['alice', 'carol', 'erin'])
      expect(json.stdout).not.toContain('scrypt')
    })

    test('remove deletes the operator; removing again is exit 1', async () => {
      expect(await cli(['remove', 'carol'])).toEqual({ code: 0, stdout: 'removed operator carol; their sessions are ended\n', stderr: '' })
      expect(await authenticate('carol', 'typed on a terminal')).toBeUndefined()
      const again = await cli(['remove', 'carol'])
      expect(again.code).toBe(1)
      expect(again.stderr).toBe('secrets: operator carol does not exist\n')
    })

    const usage: Array<[string, string[], string]> = [
      ['no subcommand', [], 'missing a subcommand'],
      ['an unknown subcommand', ['rename', 'x'], 'unknown subcommand "rename"'],
      ['add without NAME', ['add'], 'missing NAME'],
      ['list with an argument', ['list', 'x'], 'unexpected argument in position 2 (not repeated here'],
      ['a password after NAME', ['add', 'alice', 'Typed-Password-9'], 'unexpected argument in position 3 (not repeated here'],
      ['--json with add', ['add', 'x', '--json'], '--json goes with list only'],
    ]
    for (const [label, argv, message] of usage) {
      test(`${label} is a usage error (exit 2)`, async () => {
        const r = await cli(argv)
        expect(r.code).toBe(2)
        expect(r.stderr).toContain(message)
        expect(r.stderr).not.toContain('Typed-Password-9')
      })
    }

    test('--help documents the password rules and the stdin form', async () => {
      const r = await cli(['--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('At least 12 characters')
      expect(r.stdout).toContain('printf %s "$PASSWORD" | npx secrets operator add alice')
    })
  })
})

describe('without DATABASE_URL, from a directory without data/secrets.db (an install directory)', () => {
  test('operator add says it created a new database there, naming the path; the next command does not', async () => {
    const { mkdtempSync, rmSync, realpathSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join: joinPath } = await import('node:path')
    const { runBin: bin } = await import('../helpers/cli.ts')
    const dir = realpathSync(mkdtempSync(joinPath(tmpdir(), 'chs-install-')))
    try {
      // operator add needs the master key (its audit row), not DATABASE_URL.
      const first = await bin(['operator', 'add', 'alice'], { env: { CLAUDE_HOOKS_SECRET_KEY: randomKey() }, stdin: 'correct horse battery', cwd: dir })
      expect(first.code).toBe(0)
      expect(first.stderr).toContain(`secrets: DATABASE_URL is not set: created a new database at ${joinPath(dir, 'data', 'secrets.db')}; a deployed service's database is elsewhere`)
      const second = await bin(['operator', 'list'], { env: {}, cwd: dir })
      expect(second.code).toBe(0)
      expect(second.stderr).toBe('')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
