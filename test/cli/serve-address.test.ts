import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '../../src/errors.ts'
import { UsageError } from '../../src/cli/command.ts'
import { listenFailure, parseHost, parsePort } from '../../src/cli/serve-address.ts'
import { runBin } from '../helpers/cli.ts'
import { runProcess, runtimes } from '../helpers/builds.ts'
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

describe('listenFailure', () => {
  const where = { host: '10.255.255.1', hostSource: 'env', port: 8787, portSource: 'env' } as const
  const failure = (code: string) => Object.assign(new Error(`runtime words ${code}`), { code })

  test('an address the machine lacks: a configuration error naming HOST', () => {
    const lacks = listenFailure(failure('EADDRNOTAVAIL'), where)
    expect(lacks).toBeInstanceOf(ConfigError)
    expect((lacks as Error).message).toBe('HOST 10.255.255.1 is not an address of this machine (EADDRNOTAVAIL)')
  })

  test('a port in use: named with the address, exit 1 (it may be free later: systemd restarts), naming the flag or variable to change', () => {
    const env = listenFailure(failure('EADDRINUSE'), { ...where, host: '::1' })
    expect(env).not.toBeInstanceOf(ConfigError)
    expect((env as Error).message).toBe('cannot listen on [::1]:8787: the port is in use (EADDRINUSE); stop what listens there, or set another PORT')
    const flag = listenFailure(failure('EADDRINUSE'), { ...where, host: '127.0.0.1', portSource: 'flag' })
    expect((flag as Error).message).toBe('cannot listen on 127.0.0.1:8787: the port is in use (EADDRINUSE); stop what listens there, or set another --port')
  })

  test('a port this user may not take: a configuration error naming PORT or --port', () => {
    const env = listenFailure(failure('EACCES'), { ...where, host: '0.0.0.0', port: 80 })
    expect(env).toBeInstanceOf(ConfigError)
    expect((env as Error).message).toBe('PORT 80 cannot be listened on by this user on 0.0.0.0 (EACCES): ports below 1024 need root or CAP_NET_BIND_SERVICE')
    const flag = listenFailure(failure('EACCES'), { ...where, port: 443, portSource: 'flag' })
    expect(flag).toBeInstanceOf(ConfigError)
    expect((flag as Error).message).toStartWith('--port 443 cannot be listened on')
    // Above 1024 (a security policy, not the privileged range): no hint about root.
    expect((listenFailure(failure('EACCES'), { ...where, port: 8787 }) as Error).message).toBe('PORT 8787 cannot be listened on by this user on 10.255.255.1 (EACCES)')
  })

  test('anything else passes through as it was', () => {
    const other = failure('EMFILE')
    expect(listenFailure(other, where)).toBe(other)
    expect(listenFailure('not an error', where)).toBe('not an error')
  })
})

describe('secrets serve with a bad HOST (one line naming it, before the store is opened) or a port it cannot take', () => {
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

  for (const runtime of runtimes('serve-address')) {
    test.if(runtime.runs)(`a port already in use (${runtime.name}): one line naming the address and the port, exit 1`, async () => {
      const taken = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('taken') })
      try {
        const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file://${join(tmp.dir, `in-use-${runtime.name}.db`)}` }
        const byEnv = await runProcess([...runtime.cmd, 'serve'], { ...env, PORT: String(taken.port) })
        expect(byEnv.stderr).toBe(`secrets: cannot listen on 127.0.0.1:${taken.port}: the port is in use (EADDRINUSE); stop what listens there, or set another PORT\n`)
        expect(byEnv.code).toBe(1)
        const byFlag = await runProcess([...runtime.cmd, 'serve', '--port', String(taken.port)], env)
        expect(byFlag.stderr).toEndWith('or set another --port\n')
        expect(byFlag.code).toBe(1)
      } finally {
        taken.stop(true)
      }
    })
  }
})
