import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openSecrets } from '../../../src/context.ts'
import { NODE_BUILD, nodeBuildRuns, ROOT } from '../../helpers/builds.ts'
import { runCli } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/context.ts'
import { randomKey } from '../../helpers/keys.ts'
import { auditRowsOf } from '../../helpers/context.ts'

const FIXTURES = join(import.meta.dir, 'fixtures')
const PROBE = join(FIXTURES, 'probe.cjs')
const PIECES = join(FIXTURES, 'pieces.cjs')
const GH = 'ghp_run_value_0123'
const PW = 'pw-run-value'
const LOGIN = Bun.spawnSync(['id', '-un']).stdout.toString().trim()

const RUNTIMES = [
  { name: 'bun (bin/secrets)', cmd: [join(ROOT, 'bin', 'secrets')], runs: true },
  { name: 'node (dist/cli.js)', cmd: ['node', NODE_BUILD], runs: nodeBuildRuns('secrets run') },
]

for (const runtime of RUNTIMES) {
  describe.skipIf(!runtime.runs)(`secrets run and get on ${runtime.name}`, () => {
    let tmp: ReturnType<typeof tempDir>
    let env: Record<string, string>
    const file = (name: string) => join(tmp.dir, name)

    /** `extraEnv` adds variables, and takes one away where it says undefined. */
    function start(argv: string[], extraEnv: Record<string, string | undefined> = {}) {
      const merged: Record<string, string | undefined> = { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env, ...extraEnv }
      for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k]
      return Bun.spawn([...runtime.cmd, ...argv], {
        env: merged as Record<string, string>,
        stdin: 'ignore',
        stdout: 'pipe',
        stderr: 'pipe',
      })
    }
    async function run(argv: string[], extraEnv: Record<string, string | undefined> = {}) {
      const proc = start(argv, extraEnv)
      const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
      return { code, stdout, stderr }
    }
    const auditRows = () => auditRowsOf(env)

    beforeAll(async () => {
      tmp = tempDir()
      env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${join(tmp.dir, 'secrets.db')}` }
      expect((await runCli(['set', 'GH'], { env, stdin: GH })).code).toBe(0)
      expect((await runCli(['set', 'PW'], { env, stdin: PW })).code).toBe(0)
    })
    afterAll(() => tmp.cleanup())

    test('values reach the child in its environment only; no key or token variable; one audit row per secret', async () => {
      const before = (await auditRows()).length
      const out = file('probe.json')
      const r = await run(
        ['run', '--env', 'GH=${SECRET:GH}', '--env=URL=pg://u:${SECRET:PW}@h/${SECRET:GH|base64}', '--reason', 'start server', '--accessor', 'mcp', '--', 'node', PROBE, out, 'plain-arg'],
        {
          CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: randomKey(),
          CLAUDE_HOOKS_SECRETS_TOKEN: 'tok-should-not-pass',
          CLAUDE_HOOKS_SECRETS_TOKEN_FILE: file('token'),
          KEEP_ME: 'kept',
        },
      )
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' })
      const probe = JSON.parse(readFileSync(out, 'utf8')) as { argv: string[]; env: Record<string, string> }
      expect(probe.env.GH).toBe(GH)
      expect(probe.env.URL).toBe(`pg://u:${PW}@h/${Buffer.from(GH).toString('base64')}`)
      expect(probe.env.KEEP_ME).toBe('kept')
      expect(probe.argv.slice(2)).toEqual([out, 'plain-arg'])
      expect(JSON.stringify(probe.argv)).not.toContain(GH)
      expect(JSON.stringify(probe.argv)).not.toContain(PW)
      for (const name of Object.keys(probe.env)) expect(name).not.toMatch(/^CLAUDE_HOOKS_SECRET/)
      const reads = (await auditRows()).slice(before)
      expect(reads.map((row) => [row.secret_name, row.action, row.accessor, row.label, row.reason])).toEqual([
        ['GH', 'read', `cli:${LOGIN}`, 'mcp', 'start server'],
        ['PW', 'read', `cli:${LOGIN}`, 'mcp', 'start server'],
      ])
    })

    test('a master key from a systemd credential: the child gets neither the key nor CREDENTIALS_DIRECTORY', async () => {
      const dir = file('credentials')
      mkdirSync(dir, { mode: 0o700 })
      writeFileSync(join(dir, 'claude-hooks-secret-key'), `${env.CLAUDE_HOOKS_SECRET_KEY}\n`, { mode: 0o600 })
      const out = file('credential.json')
      const r = await run(['run', '--env', 'GH=${SECRET:GH}', '--reason', 'r', '--', 'node', PROBE, out], {
        CLAUDE_HOOKS_SECRET_KEY: undefined,
        CREDENTIALS_DIRECTORY: dir,
      })
      expect(r).toMatchObject({ code: 0, stderr: '' })
      const probe = JSON.parse(readFileSync(out, 'utf8')) as { env: Record<string, string> }
      expect(probe.env.GH).toBe(GH)
      expect(probe.env.CREDENTIALS_DIRECTORY).toBeUndefined()
      expect(JSON.stringify(probe.env)).not.toContain(env.CLAUDE_HOOKS_SECRET_KEY!)
      const set = await run(['run', '--env', `CREDENTIALS_DIRECTORY=${dir}`, '--reason', 'r', '--', 'node', PROBE, file('never-cred.json')])
      expect(set.code).toBe(2)
      expect(set.stderr).toContain('CREDENTIALS_DIRECTORY is never passed to the command')
      expect(existsSync(file('never-cred.json'))).toBe(false)
    })

    test('--isolate: only PATH, HOME, LANG, TERM, TZ and the rendered variables', async () => {
      const out = file('isolated.json')
      const r = await run(['run', '--isolate', '--env', 'GH=${SECRET:GH}', '--reason', 'r', '--', 'node', PROBE, out], {
        LANG: 'C.UTF-8',
        TZ: 'UTC',
        TERM: 'dumb',
        OTHER: 'dropped',
      })
      expect(r.code).toBe(0)
      const probe = JSON.parse(readFileSync(out, 'utf8')) as { env: Record<string, string> }
      expect(probe.env).toEqual({ PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8', TZ: 'UTC', TERM: 'dumb', GH })
    })

    test('--env-file: dotenv lines; a bad line is a usage error naming file and line, and nothing starts', async () => {
      writeFileSync(file('good.env'), `# comment\n\nexport GH="\${SECRET:GH}"\nPW='\${SECRET:PW}'\nLIT=a b#c\n`)
      const out = file('envfile.json')
      const r = await run(['run', '--env-file', file('good.env'), '--env', 'LIT=override', '--reason', 'r', '--', 'node', PROBE, out])
      expect(r.code).toBe(0)
      const probe = JSON.parse(readFileSync(out, 'utf8')) as { env: Record<string, string> }
      expect([probe.env.GH, probe.env.PW, probe.env.LIT]).toEqual([GH, PW, 'override'])

      writeFileSync(file('bad.env'), 'GH=${SECRET:GH}\n1BAD=x\n')
      const bad = await run(['run', '--env-file', file('bad.env'), '--reason', 'r', '--', 'node', PROBE, file('never.json')])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain(`${file('bad.env')}:2: "1BAD" is not a variable name`)
      expect(existsSync(file('never.json'))).toBe(false)
    })

    test('--env-file: a malformed placeholder is placed in the file (its line and column), exit 3, nothing starts', async () => {
      writeFileSync(file('malformed.env'), 'GH=${SECRET:GH}\n  export B = "ab${SECRET:bad}"\n')
      const before = (await auditRows()).length
      const r = await run(['run', '--env-file', file('malformed.env'), '--reason', 'r', '--', 'node', PROBE, file('never-malformed.json')])
      expect(r.code).toBe(3)
      expect(r.stderr).toContain(`${file('malformed.env')}: B: malformed placeholder at line 2, column 17:`)
      expect(existsSync(file('never-malformed.json'))).toBe(false)
      expect((await auditRows()).length).toBe(before)
    })

    test('a missing secret: exit 3 naming it, the command is not started, no secret decrypted', async () => {
      const before = (await auditRows()).length
      const r = await run(['run', '--env', 'A=${SECRET:GH}', '--env', 'B=${SECRET:NOPE}', '--reason', 'r', '--', 'node', PROBE, file('missing.json')])
      expect(r.code).toBe(3)
      expect(r.stderr).toContain('missing secret: NOPE')
      expect(existsSync(file('missing.json'))).toBe(false)
      expect((await auditRows()).length).toBe(before)
    })

    test('masking: a value written in pieces is concealed on stdout and stderr; other bytes unchanged; --no-mask passes it', async () => {
      const pieces = ['before ', GH.slice(0, 5), GH.slice(5, 11), `${GH.slice(11)} mid `, PW.slice(0, 3), `${PW.slice(3)}\n\u00e9 end`]
      const r = await run(['run', '--env', 'X=${SECRET:GH}${SECRET:PW}', '--reason', 'r', '--', 'node', PIECES, ...pieces])
      expect(r.code).toBe(0)
      expect(r.stdout).toBe('before <concealed> mid <concealed>\n\u00e9 end')
      expect(r.stderr).toBe('before <concealed> mid <concealed>\n\u00e9 end')
      const plain = await run(['run', '--no-mask', '--env', 'X=${SECRET:GH}', '--reason', 'r', '--', 'node', PIECES, ...pieces])
      expect(plain.stdout).toBe(pieces.join(''))
    })

    test('exit status: the child exit code; 128+N when a signal ends it; 127 for a command not found', async () => {
      expect((await run(['run', '--reason', 'r', '--', 'sh', '-c', 'exit 7'])).code).toBe(7)
      expect((await run(['run', '--reason', 'r', '--', 'sh', '-c', 'kill -KILL $$'])).code).toBe(137)
      expect((await run(['run', '--no-mask', '--reason', 'r', '--', 'sh', '-c', 'kill -TERM $$'])).code).toBe(143)
      const missing = await run(['run', '--reason', 'r', '--', join(tmp.dir, 'no-such-command')])
      expect(missing.code).toBe(127)
      expect(missing.stderr).toContain('cannot start')
      // Looked up in PATH: none there is 127; one there that may not be executed is 126, as a shell says.
      const bin = join(tmp.dir, 'path-bin')
      mkdirSync(bin, { recursive: true })
      writeFileSync(join(bin, 'not-executable'), '#!/bin/sh\necho ran\n', { mode: 0o644 })
      const inPath = { PATH: `${bin}:${process.env.PATH!}` }
      expect((await run(['run', '--reason', 'r', '--', 'no-such-command-anywhere'], inPath)).code).toBe(127)
      const refused = await run(['run', '--reason', 'r', '--', 'not-executable'], inPath)
      expect(refused).toMatchObject({ code: 126, stdout: '' })
      expect(refused.stderr).toContain('cannot start not-executable: EACCES')
    })

    for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
      test(`${signal} to secrets run is passed on to the command`, async () => {
        const script = `trap 'echo got-${signal}; exit 40' ${signal.slice(3)}; echo ready; while :; do sleep 0.05; done`
        const proc = start(['run', '--reason', 'r', '--', 'sh', '-c', script])
        const reader = proc.stdout.getReader()
        let seen = ''
        while (!seen.includes('ready')) {
          const { value, done } = await reader.read()
          if (done) break
          seen += new TextDecoder().decode(value)
        }
        proc.kill(signal)
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          seen += new TextDecoder().decode(value)
        }
        expect(await proc.exited).toBe(40)
        expect(seen).toBe(`ready\ngot-${signal}\n`)
        void number
      })
    }

    test('a reader of the masked output that goes away: the command sees it gone and ends, run ends', async () => {
      // `yes` writes until its output breaks; run copies it through the masker into a pipe that `head` closes.
      const line = `${runtime.cmd.map((a) => `'${a}'`).join(' ')} run --reason r -- yes | head -c 100000 | wc -c`
      const proc = Bun.spawn(['sh', '-c', line], { env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, stdout: 'pipe', stderr: 'pipe' })
      const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited])
      expect(code).toBe(0)
      expect(stdout.trim()).toBe('100000')
    })

    test('an untrapped forwarded SIGTERM ends the command: 143', async () => {
      const proc = start(['run', '--reason', 'r', '--', 'sh', '-c', 'echo ready; exec sleep 30'])
      const reader = proc.stdout.getReader()
      await reader.read()
      proc.kill('SIGTERM')
      expect(await proc.exited).toBe(143)
    })

    test('get: the value with no newline, audited; a missing name exits 3', async () => {
      const before = (await auditRows()).length
      const r = await run(['get', 'GH', '--reason', 'deploy', '--accessor', 'ci'])
      expect(r).toMatchObject({ code: 0, stdout: GH, stderr: '' })
      const reads = (await auditRows()).slice(before)
      expect(reads.map((row) => [row.secret_name, row.action, row.accessor, row.label, row.reason])).toEqual([
        ['GH', 'read', `cli:${LOGIN}`, 'ci', 'deploy'],
      ])
      expect((await run(['get', 'NOPE', '--reason', 'r'])).code).toBe(3)
      expect((await run(['get', 'GH'])).code).toBe(2)
      // Not a name at all: refused as the other commands refuse it (exit 1, the field named), before any read.
      const rows = (await auditRows()).length
      const bad = await run(['get', 'lower-case', '--reason', 'r'])
      expect(bad.code).toBe(1)
      expect(bad.stderr).toContain('name must match ^[A-Z][A-Z0-9_]{0,127}$')
      expect((await auditRows()).length).toBe(rows)
    })

    test('get refuses a terminal without --reveal, before decrypting; prints with it', async () => {
      const before = (await auditRows()).length
      const line = (argv: string) => `${runtime.cmd.join(' ')} ${argv}`
      const scriptEnv = { ...env, PATH: process.env.PATH! }
      const refused = Bun.spawnSync(['script', '-qec', line('get GH --reason r'), '/dev/null'], { env: scriptEnv })
      expect(refused.exitCode).toBe(2)
      expect(refused.stdout.toString()).toContain('standard output is a terminal')
      expect(refused.stdout.toString()).not.toContain(GH)
      expect((await auditRows()).length).toBe(before)
      const shown = Bun.spawnSync(['script', '-qec', line('get GH --reason r --reveal'), '/dev/null'], { env: scriptEnv })
      expect(shown.exitCode).toBe(0)
      expect(shown.stdout.toString()).toBe(GH)
    })
  })
}

describe('secrets run arguments', () => {
  test('--help after -- belongs to the command; a key variable may not be set with --env; -- is required', async () => {
    const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: 'file::memory:' }
    expect((await runCli(['run', '--help'], { env })).stdout).toContain('Usage: secrets run')
    const r = await runCli(['run', '--env', 'CLAUDE_HOOKS_SECRET_KEY=x', '--reason', 'r', '--', 'true'], { env })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('CLAUDE_HOOKS_SECRET_KEY is never passed to the command')
    expect((await runCli(['run', '--reason', 'r', 'true'], { env })).stderr).toContain('missing -- CMD')
    const word = await runCli(['run', '--env', 'A=x', '--env=ghp_PASTEDVALUE', '--reason', 'r', '--', 'true'], { env })
    expect(word.code).toBe(2)
    expect(word.stderr).toContain('--env (the 2nd): expected NAME=TEMPLATE')
    expect(word.stderr).not.toContain('PASTEDVALUE')
  })
})
