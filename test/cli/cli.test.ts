import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { openSecrets } from '../../src/context.ts'
import { BIN, runBin, runCli } from '../helpers/cli.ts'
import { startServe } from '../helpers/serve.ts'
import { tempDir } from '../helpers/context.ts'
import { randomKey } from '../helpers/keys.ts'
import { describeEachDialect, freshDatabase, tableCount } from '../helpers/databases.ts'

describeEachDialect('secrets CLI', (dialect) => {
  let tmp: ReturnType<typeof tempDir>
  let env: Record<string, string>
  let db: Awaited<ReturnType<typeof freshDatabase>>
  beforeAll(async () => {
    tmp = tempDir()
    db = await freshDatabase(dialect, `file:${join(tmp.dir, 'data', 'secrets.db')}`)
    env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
  })
  afterAll(async () => {
    await db.drop()
    tmp.cleanup()
  })

  /** The stored value, read the way a render would (decrypted, audited). */
  async function storedValue(name: string): Promise<string> {
    const ctx = await openSecrets(env)
    try {
      return await ctx.service.decrypt(await ctx.service.sealed(name), 'test:cli', 'check the stored value')
    } finally {
      await ctx.close()
    }
  }

  describe('secrets (no command, help)', () => {
    test('without a command prints the command list on stderr and exits 2', async () => {
      const r = await runCli([], { env })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('Commands:')
    })
    test('--help exits 0 and lists every command', async () => {
      const r = await runCli(['--help'], { env })
      expect(r.code).toBe(0)
      for (const c of ['keygen', 'set', 'list', 'rotate', 'render', 'serve']) expect(r.stdout).toContain(`  ${c} `)
    })
    for (const c of ['keygen', 'set', 'list', 'rotate', 'serve']) {
      test(`${c} --help prints its usage and exits 0 without a key`, async () => {
        const r = await runCli([c, '--help'], { env: {} })
        expect(r.code).toBe(0)
        expect(r.stdout).toStartWith(`Usage: secrets ${c}`)
      })
    }
    test('an unknown command exits 2', async () => {
      const r = await runCli(['frobnicate'], { env })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('unknown command "frobnicate"')
    })
    test('an unknown option exits 2 and points at --help', async () => {
      const r = await runCli(['list', '--colour'], { env })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('secrets list --help')
    })
  })

  describe('keygen', () => {
    test('prints a key that the store accepts, needing no key itself', async () => {
      const r = await runCli(['keygen'], { env: {} })
      expect(r.code).toBe(0)
      const key = r.stdout.trim()
      expect(atob(key).length).toBe(32)
      // A store of this dialect of its own: the shared one holds rows under the suite's key.
      const own = await freshDatabase(dialect, `file:${join(tmp.dir, 'keygen.db')}`)
      try {
        const list = await runCli(['list', '--json'], { env: { CLAUDE_HOOKS_SECRET_KEY: key, DATABASE_URL: own.url } })
        expect(list.code).toBe(0)
        expect(JSON.parse(list.stdout)).toMatchObject({ secrets: [] })
        // The probe the key-check tests rely on sees a store that was opened.
        expect(await tableCount(dialect, own.url)).toBeGreaterThan(0)
      } finally {
        await own.drop()
      }
    })
  })

  describe('the master key is checked before anything else', () => {
    // A database of its own that no refused command may create, migrate or write.
    let untouched: Awaited<ReturnType<typeof freshDatabase>>
    beforeAll(async () => {
      untouched = await freshDatabase(dialect, `file:${join(tmp.dir, 'untouched', 'secrets.db')}`)
    })
    afterAll(async () => {
      expect(await tableCount(dialect, untouched.url)).toBe(0)
      await untouched.drop()
    })
    const cases: Array<[string, Record<string, string | undefined>, RegExp]> = [
      ['missing', { CLAUDE_HOOKS_SECRET_KEY: undefined }, /^secrets: CLAUDE_HOOKS_SECRET_KEY is not set/],
      ['empty', { CLAUDE_HOOKS_SECRET_KEY: '' }, /^secrets: CLAUDE_HOOKS_SECRET_KEY is not set/],
      ['not base64', { CLAUDE_HOOKS_SECRET_KEY: 'hunter2!' }, /^secrets: CLAUDE_HOOKS_SECRET_KEY is not valid standard base64/],
      ['short', { CLAUDE_HOOKS_SECRET_KEY: btoa('k'.repeat(31)) }, /^secrets: CLAUDE_HOOKS_SECRET_KEY decodes to 31 bytes/],
      [
        'a bad previous key',
        { CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: `${btoa('p'.repeat(32))},nope` },
        /^secrets: CLAUDE_HOOKS_SECRET_KEY_PREVIOUS entry 2 of 2/,
      ],
    ]
    for (const command of [['list'], ['set', 'A'], ['rotate', '--all']]) {
      for (const [label, override, message] of cases) {
        test(`${command.join(' ')} with a ${label} key exits 78 with one line on stderr, touching nothing`, async () => {
          // On a terminal, so that asking for a value before the key check would add a prompt line.
          const r = await runCli(command, { env: { ...env, DATABASE_URL: untouched.url, ...override }, tty: 'value' })
          expect(r.code).toBe(78)
          expect(r.stderr).toMatch(message)
          expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
          expect(r.stderr).toContain('openssl rand -base64 32')
          expect(r.stdout).toBe('')
          expect(await tableCount(dialect, untouched.url)).toBe(0)
        })
      }
    }
    test('the key is never printed, not even in part', async () => {
      const bad = btoa('S'.repeat(33))
      const r = await runCli(['list'], { env: { ...env, CLAUDE_HOOKS_SECRET_KEY: bad } })
      expect(r.code).toBe(78)
      expect(r.stderr).not.toContain(bad.slice(0, 8))
    })
  })

  describe('set, list, rotate through the real executable', () => {
    test('set reads the value from stdin, drops one trailing newline, creates then replaces', async () => {
      const created = await runBin(['set', 'GITHUB_TOKEN', '--description', 'forge token'], { env, stdin: 'ghp_first\n' })
      expect(created).toMatchObject({ code: 0, stderr: '' })
      expect(created.stdout).toMatch(/^created GITHUB_TOKEN \(version 1, key [0-9a-f]{16}\)\n$/)
      const replaced = await runBin(['set', 'GITHUB_TOKEN'], { env, stdin: 'ghp_second' })
      expect(replaced.stdout).toMatch(/^replaced GITHUB_TOKEN/)
      const list = await runBin(['list'], { env })
      expect(list.code).toBe(0)
      expect(list.stdout).toMatch(/^NAME\s+VERSION\s+DESCRIPTION\s+ROTATED\s+KEY ID\nGITHUB_TOKEN\s+2\s+forge token\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s+[0-9a-f]{16}\n$/)
      expect(list.stdout).not.toContain('ghp_')
      expect(await storedValue('GITHUB_TOKEN')).toBe('ghp_second')
    })

    test('list never prints a raw control or bidirectional character, even from an old row that holds them', async () => {
      const ctx = await openSecrets(env)
      const raw = 'old\u001b[2J\u009b31m\u202eevil\u2066x\u0085'
      try {
        await ctx.service.create({ name: 'OLD_ROW', value: 'v' }, { accessor: 'cli:test', reason: 'setup' })
        // As a row written before the rule would hold it: straight into the table.
        await ctx.store.db.updateTable('secret').set({ description: raw }).where('name', '=', 'OLD_ROW').execute()
      } finally {
        await ctx.close()
      }
      const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
      const table = await runBin(['list'], { env })
      expect(table.code).toBe(0)
      expect(table.stdout).not.toMatch(unsafe)
      expect(table.stdout).toContain('old\\u001b[2J\\u009b31m\\u202eevil\\u2066x\\u0085')
      const json = await runBin(['list', '--json'], { env })
      expect(json.code).toBe(0)
      expect(json.stdout).not.toMatch(unsafe)
      expect(JSON.parse(json.stdout).secrets.find((s: { name: string }) => s.name === 'OLD_ROW').description).toBe(raw)
      const refused = await runBin(['set', 'NEW_ROW', '--description', 'a\u202eb'], { env, stdin: 'v' })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('description must not contain control characters or bidirectional formatting characters')
    })

    test.skipIf(dialect !== 'sqlite')('the database file is created 0600 in a 0700 directory', () => {
      const db = join(tmp.dir, 'data', 'secrets.db')
      expect(statSync(db).mode & 0o777).toBe(0o600)
      expect(statSync(join(tmp.dir, 'data')).mode & 0o777).toBe(0o700)
    })

    test('set refuses a bad name before asking for a value, and an empty or non-UTF-8 value', async () => {
      const badName = await runCli(['set', 'lower'], { env, tty: 'typed' })
      expect(badName.code).toBe(1)
      expect(badName.stderr).toMatch(/^secrets: name must match/)
      expect(badName.stderr).not.toContain('Value for')
      const empty = await runCli(['set', 'EMPTY'], { env, stdin: '\n' })
      expect(empty.code).toBe(1)
      expect(empty.stderr).toBe('secrets: value must not be empty\n')
      const binary = await runCli(['set', 'BINARY'], { env, stdin: new Uint8Array([0xff, 0xfe, 0x41]) })
      expect(binary.code).toBe(1)
      expect(binary.stderr).toBe('secrets: value must be valid UTF-8\n')
      const big = await runCli(['set', 'BIG'], { env, stdin: 'x'.repeat(65_537) })
      expect(big.code).toBe(1)
      expect(big.stderr).toContain('at most 65536 bytes')
      const names = JSON.parse((await runCli(['list', '--json'], { env })).stdout).secrets.map((s: { name: string }) => s.name)
      expect(names).not.toContain('EMPTY')
      expect(names).not.toContain('BINARY')
      expect(names).not.toContain('BIG')
    })

    test('set asks on a terminal with echo off and never prints the value', async () => {
      const r = await runCli(['set', 'TYPED'], { env, tty: 'typed-secret' })
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('Value for TYPED (input hidden): ')
      expect(r.stdout + r.stderr).not.toContain('typed-secret')
      expect(await storedValue('TYPED')).toBe('typed-secret')
    })

    test('--keep-newline keeps the trailing newline', async () => {
      await runCli(['set', 'NL', '--keep-newline'], { env, stdin: 'v\n' })
      expect(await storedValue('NL')).toBe('v\n')
      await runCli(['set', 'CRLF'], { env, stdin: 'w\r\n' })
      expect(await storedValue('CRLF')).toBe('w')
    })

    test('a value typed after NAME is refused without being repeated: it may be the secret', async () => {
      const value = 'ghp_typed-on-the-command-line-42'
      const r = await runCli(['set', 'ARGV_VALUE', value], { env })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('unexpected argument in position 2 (not repeated here, in case it is a secret)')
      expect(r.stderr).not.toContain(value)
      expect(r.stdout).not.toContain(value)
      const none = await runCli(['keygen', value], { env })
      expect(none.code).toBe(2)
      expect(none.stderr).toContain('takes no arguments (the one given is not repeated here, in case it is a secret)')
      expect(none.stderr).not.toContain(value)
      expect((await runCli(['get', 'ARGV_VALUE', '--reason', 'r'], { env })).code).not.toBe(0)
    })

    test('set without NAME is a usage error', async () => {
      const r = await runCli(['set'], { env })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('missing NAME')
    })

    test('rotate NAME re-encrypts and says so; an unknown name fails with exit 1', async () => {
      const r = await runCli(['rotate', 'GITHUB_TOKEN'], { env })
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^rotated GITHUB_TOKEN/)
      const missing = await runCli(['rotate', 'NOPE'], { env })
      expect(missing.code).toBe(1)
      expect(missing.stderr).toBe('secrets: secret NOPE does not exist\n')
      expect((await runCli(['rotate'], { env })).code).toBe(2)
      expect((await runCli(['rotate', 'A', '--all'], { env })).code).toBe(2)
    })

    test('after a key change, start-up refuses with 78 naming the unknown key id and its row count; rotate --all moves rows to the new key', async () => {
      const oldKey = env.CLAUDE_HOOKS_SECRET_KEY!
      const newKey = randomKey()
      const count = JSON.parse((await runCli(['list', '--json'], { env })).stdout).secrets.length
      const oldId = JSON.parse((await runCli(['list', '--json'], { env })).stdout).current_key_id

      const refused = await runBin(['list'], { env: { ...env, CLAUDE_HOOKS_SECRET_KEY: newKey } })
      expect(refused.code).toBe(78)
      expect(refused.stderr).toContain(`${oldId} (${count} rows)`)
      expect(refused.stderr).not.toContain(oldKey.slice(0, 8))
      const serveRefused = await runBin(['serve', '--port', '0'], { env: { ...env, CLAUDE_HOOKS_SECRET_KEY: newKey } })
      expect(serveRefused.code).toBe(78)

      const rotated = { ...env, CLAUDE_HOOKS_SECRET_KEY: newKey, CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: oldKey }
      const listed = await runCli(['list'], { env: rotated })
      expect(listed.stdout).toContain('(previous)')
      const all = await runCli(['rotate', '--all'], { env: rotated })
      expect(all.code).toBe(0)
      expect(all.stdout).toContain(`rotated ${count}, already current 0, failed 0`)
      const again = await runCli(['rotate', '--all'], { env: rotated })
      expect(again.stdout).toContain(`rotated 0, already current ${count}, failed 0`)
      // Now the old key can go.
      const alone = await runCli(['list'], { env: { ...env, CLAUDE_HOOKS_SECRET_KEY: newKey } })
      expect(alone.code).toBe(0)
      expect(alone.stdout).not.toContain('(previous)')
      env.CLAUDE_HOOKS_SECRET_KEY = newKey
    })
  })

  describe('serve', () => {
    test('answers /healthz over a real socket and exits 0 on SIGTERM', async () => {
      const server = await startServe([BIN, 'serve', '--port', '0'], env)
      const url = server.base
      expect(url).toStartWith('http://127.0.0.1:')
      const res = await fetch(`${url}/healthz`)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ status: 'ok' })
      expect(await server.stop()).toBe(0)
    })
    test('refuses a bad port with a usage error', async () => {
      const r = await runCli(['serve', '--port', '99999'], { env })
      expect(r.code).toBe(2)
    })
  })
})
