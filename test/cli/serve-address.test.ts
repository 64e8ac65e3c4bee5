import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '../../src/errors.ts'
import { UsageError } from '../../src/cli/command.ts'
import { listenFailure, parseHost, parsePort } from '../../src/cli/serve-address.ts'
import { runBin } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { randomKey } from '../helpers/keys.ts'
import { errorOf } from '../render/helpers.ts'

describe('parseHost', () => {
  test('addresses and names that resolve pass; brackets come off an IPv6 address', async () => {
    expect(await parseHost('127.0.0.1', 'env')).toBe('127.0.0.1')
    expect(await parseHost('0.0.0.0', 'env')).toBe('0.0.0.0')
    expect(await parseHost('::1', 'env')).toBe('::1')
    expect(await parseHost('[::1]', 'flag')).toBe('::1')
    expect(await parseHost('localhost', 'env')).toBe('localhost')
  })

  test('neither an address nor a name: the variable is a configuration error, the flag a usage error, each named', async () => {
    for (const bad of ['bad host', '999.1.1.1', '::zz', '[bad]', 'a..b', '-a', 'a_b', '', 'x'.repeat(64)]) {
      const env = await errorOf(parseHost(bad, 'env'))
      expect(env).toBeInstanceOf(ConfigError)
      expect((env as Error).message).toBe('HOST must be an IP address or a host name, e.g. 127.0.0.1, ::1, 0.0.0.0 or localhost')
      const flag = await errorOf(parseHost(bad, 'flag'))
      expect(flag).toBeInstanceOf(UsageError)
      expect((flag as Error).message).toStartWith('--host must be')
    }
  })

  test('a name that does not resolve: a configuration error naming it', async () => {
    const err = await errorOf(parseHost('no-such-host.invalid', 'env'))
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as Error).message).toStartWith('HOST no-such-host.invalid does not resolve to an address')
  })
})

describe('parsePort', () => {
  test('0 to 65535; else named, by source', () => {
    expect(parsePort('0', 'env')).toBe(0)
    expect(parsePort('65535', 'flag')).toBe(65535)
    for (const bad of ['65536', '-1', 'abc', '', '1e3', '123456']) {
      expect(() => parsePort(bad, 'env')).toThrow(new ConfigError('PORT must be a port number from 0 to 65535'))
      expect(() => parsePort(bad, 'flag')).toThrow(UsageError)
    }
  })
})

test('listenFailure: an address the machine lacks is named; a port in use passes through', () => {
  const lacks = listenFailure(Object.assign(new Error('EADDRNOTAVAIL: address not available, listen'), { code: 'EADDRNOTAVAIL' }), '10.255.255.1', 'env')
  expect(lacks).toBeInstanceOf(ConfigError)
  expect((lacks as Error).message).toBe('HOST 10.255.255.1 is not an address of this machine (EADDRNOTAVAIL)')
  const inUse = Object.assign(new Error('in use'), { code: 'EADDRINUSE' })
  expect(listenFailure(inUse, '127.0.0.1', 'env')).toBe(inUse)
})

describe('secrets serve with a bad HOST: one line naming it, before the store is opened', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeAll(() => {
    tmp = tempDir()
  })
  afterAll(() => tmp.cleanup())

  const cases: [string, Record<string, string>, string[], number, string][] = [
    ['HOST with a space', { HOST: 'bad host' }, [], 78, 'secrets: HOST must be an IP address or a host name'],
    ['HOST that does not resolve', { HOST: 'no-such-host.invalid' }, [], 78, 'secrets: HOST no-such-host.invalid does not resolve to an address'],
    ['HOST not an address', { HOST: '999.1.1.1' }, [], 78, 'secrets: HOST must be an IP address or a host name'],
    ['--host with a space', {}, ['--host', 'bad host'], 2, 'secrets serve: --host must be an IP address or a host name'],
  ]
  for (const [what, extra, flags, code, line] of cases) {
    test(what, async () => {
      const db = join(tmp.dir, `${what.replace(/\W+/g, '-')}.db`)
      const r = await runBin(['serve', '--port', '0', ...flags], {
        env: { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file://${db}`, ...extra },
      })
      expect(r.stderr).not.toContain('database')
      expect(r.stderr).toStartWith(line)
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(code === 2 ? 2 : 1)
      expect(r.code).toBe(code)
      expect(existsSync(db)).toBe(false)
    })
  }

  test('an address this machine does not have: exit 78 naming HOST', async () => {
    const r = await runBin(['serve', '--port', '0'], {
      env: { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file://${join(tmp.dir, 'lacks.db')}`, HOST: '10.255.255.1' },
    })
    expect(r.stderr).toBe('secrets: HOST 10.255.255.1 is not an address of this machine (EADDRNOTAVAIL)\n')
    expect(r.code).toBe(78)
  })
})
