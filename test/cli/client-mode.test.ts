/**
 * The CLI as a client of a real `secrets serve`, over a socket, on Bun
 * (bin/secrets) and Node (dist/cli.js), on both databases: no master key and
 * no database in the client's environment.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ClientService } from '../../src/clients/client.service.ts'
import { openStore } from '../../src/store/database.ts'
import { NODE_BUILD, nodeBuildRuns, ROOT, runProcess, runtimes } from '../helpers/builds.ts'
import { tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'
import { type ServeProcess, startServe } from '../helpers/serve.ts'

const RUNTIMES = runtimes('client-mode')
const run = runProcess

for (const runtime of RUNTIMES) {
  describe.skipIf(!runtime.runs)(runtime.name, () =>
    describeEachDialect(`secrets render as a client (${runtime.name})`, (dialect) => {
      let tmp: ReturnType<typeof tempDir>
      let db: Awaited<ReturnType<typeof freshDatabase>>
      let serverEnv: Record<string, string>
      let serve: ServeProcess
      let clientEnv: Record<string, string>
      let token: string
      let tokenId: string
      const FAKE_DB = () => join(tmp.dir, 'client-must-not-create.db')
      const cli = (args: string[], stdin?: string, env = clientEnv) => run([...runtime.cmd, ...args], env, stdin)

      beforeAll(async () => {
        tmp = tempDir()
        db = await freshDatabase(dialect, `file:${join(tmp.dir, 'server.db')}`)
        serverEnv = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
        const admin = (args: string[], stdin?: string) => run([...runtime.cmd, ...args], serverEnv, stdin)
        expect((await admin(['set', 'GITHUB_TOKEN'], 'ghp-client-mode-value')).code).toBe(0)
        expect((await admin(['set', 'SLACK_TOKEN'], 'xoxb-client-mode-value')).code).toBe(0)
        expect((await admin(['set', 'GITHUB_QUOTED'], 'say "hi"')).code).toBe(0)
        expect((await admin(['client', 'add', 'mcp-github', '--grant', 'GITHUB_*'])).code).toBe(0)
        const issued = await admin(['client', 'token', 'mcp-github', '--ttl', '1d'])
        token = issued.stdout.trim()
        tokenId = /token ([0-9a-f]{16})/.exec(issued.stderr)![1]!
        const tokenFile = join(tmp.dir, 'mcp-github.token')
        writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 })
        serve = await startServe([...runtime.cmd, 'serve', '--port', '0'], serverEnv)
        // No key, and a database URL that must stay untouched.
        clientEnv = { CLAUDE_HOOKS_SECRETS_URL: serve.base, CLAUDE_HOOKS_SECRETS_TOKEN_FILE: tokenFile, DATABASE_URL: `file:${FAKE_DB()}` }
      })
      afterAll(async () => {
        if (serve) expect(await serve.stop()).toBe(0)
        await db.drop()
        tmp.cleanup()
      })

      test('renders IN to OUT through the server: 0600, whole, audited as client:mcp-github', async () => {
        const input = join(tmp.dir, 'mcp.tmpl.json')
        const output = join(tmp.dir, 'mcp.json')
        writeFileSync(input, '{"token":"${SECRET:GITHUB_TOKEN}","home":"$HOME","q":"${SECRET:GITHUB_QUOTED}"}\n')
        const r = await cli(['render', '--reason', 'start mcp', input, output])
        expect(r).toEqual({ code: 0, stdout: '', stderr: '' })
        // IN ends in .json: the JSON form, as a local render would choose.
        expect(readFileSync(output, 'utf8')).toBe('{"token":"ghp-client-mode-value","home":"$HOME","q":"say \\"hi\\""}\n')
        expect(statSync(output).mode & 0o777).toBe(0o600)
        const piped = await cli(['render', '--reason', 'start mcp'], 'x=${SECRET:GITHUB_TOKEN}')
        expect(piped).toEqual({ code: 0, stdout: 'x=ghp-client-mode-value', stderr: '' })
        expect(existsSync(FAKE_DB())).toBe(false)
        const store = await openStore(db.url)
        try {
          const rows = await store.db.selectFrom('secret_access_log').selectAll().where('accessor', '=', 'client:mcp-github').orderBy('id').execute()
          expect(rows.map((r) => [r.secret_name, r.action, r.reason, r.outcome])).toEqual([
            ['GITHUB_TOKEN', 'read', 'start mcp', 'ok'],
            ['GITHUB_QUOTED', 'read', 'start mcp', 'ok'],
            ['GITHUB_TOKEN', 'read', 'start mcp', 'ok'],
          ])
          expect(JSON.stringify(rows)).not.toContain(token.slice(4))
        } finally {
          await store.close()
        }
      })

      test('missing or malformed: exit 3 with the names or the position; not granted: exit 1 with the names; OUT untouched', async () => {
        const output = join(tmp.dir, 'kept.txt')
        writeFileSync(output, 'old content\n')
        const missing = await cli(['render', '--reason', 'r', '-', output], '${SECRET:GITHUB_TOKEN} ${SECRET:GITHUB_NOPE}')
        expect(missing).toEqual({ code: 3, stdout: '', stderr: 'secrets: missing secret: GITHUB_NOPE\n' })
        const malformed = await cli(['render', '--reason', 'r', '-', output], 'a\n ${SECRET:nope}')
        expect(malformed.code).toBe(3)
        expect(malformed.stderr).toStartWith('secrets: malformed placeholder at line 2, column 2: ')
        const denied = await cli(['render', '--reason', 'r', '-', output], '${SECRET:GITHUB_TOKEN} ${SECRET:SLACK_TOKEN} ${SECRET:AWS_KEY}')
        expect(denied).toEqual({ code: 1, stdout: '', stderr: 'secrets: client mcp-github is not granted: SLACK_TOKEN, AWS_KEY\n' })
        expect(readFileSync(output, 'utf8')).toBe('old content\n')
        expect(denied.stderr + missing.stderr).not.toContain('ghp-client-mode-value')
      })

      test('run and get as clients: values from POST /resolve, not granted starts nothing, --accessor refused', async () => {
        const ran = await cli(['run', '--env', 'T=${SECRET:GITHUB_TOKEN}', '--no-mask', '--reason', 'run mcp', '--', 'sh', '-c', 'printf %s "$T"; printenv CLAUDE_HOOKS_SECRETS_TOKEN_FILE || true'])
        expect(ran).toEqual({ code: 0, stdout: 'ghp-client-mode-value', stderr: '' })
        const masked = await cli(['run', '--env', 'T=${SECRET:GITHUB_TOKEN}', '--reason', 'run mcp', '--', 'sh', '-c', 'printf %s "$T"'])
        expect(masked.stdout).toBe('<concealed>')
        const denied = await cli(['run', '--env', 'S=${SECRET:SLACK_TOKEN}', '--reason', 'r', '--', 'sh', '-c', 'echo started'])
        expect(denied).toEqual({ code: 1, stdout: '', stderr: 'secrets: client mcp-github is not granted: SLACK_TOKEN\n' })
        const missing = await cli(['run', '--env', 'S=${SECRET:GITHUB_NOPE}', '--reason', 'r', '--', 'sh', '-c', 'echo started'])
        expect(missing).toEqual({ code: 3, stdout: '', stderr: 'secrets: missing secret: GITHUB_NOPE\n' })
        expect(await cli(['get', 'GITHUB_QUOTED', '--reason', 'get it'])).toEqual({ code: 0, stdout: 'say "hi"', stderr: '' })
        expect((await cli(['get', 'SLACK_TOKEN', '--reason', 'r'])).code).toBe(1)
        for (const argv of [['get', 'GITHUB_TOKEN', '--reason', 'r', '--accessor', 'x'], ['run', '--reason', 'r', '--accessor', 'x', '--', 'true']]) {
          const r = await cli(argv)
          expect(r.code).toBe(2)
          expect(r.stderr).toContain('--accessor is refused in client mode')
        }
        expect(existsSync(FAKE_DB())).toBe(false)
      })

      test('a blank or too long --reason is refused before the server is asked, as a local command refuses it (exit 2)', async () => {
        const input = join(tmp.dir, 'reason.tmpl')
        writeFileSync(input, 'x=${SECRET:GITHUB_TOKEN}\n')
        for (const [reason, rule] of [['   ', 'must not be empty'], ['x'.repeat(201), 'must be at most 200 characters']] as const) {
          for (const argv of [['render', '--reason', reason, input], ['run', '--reason', reason, '--env', 'T=${SECRET:GITHUB_TOKEN}', '--', 'true'], ['get', 'GITHUB_TOKEN', '--reason', reason]]) {
            const r = await cli(argv)
            expect(r.stderr).toStartWith(`secrets ${argv[0]}: --reason ${rule}\n`)
            expect(r).toMatchObject({ code: 2, stdout: '' })
          }
        }
      })

      test('--accessor is refused; the key and the database are neither needed nor opened', async () => {
        const r = await cli(['render', '--accessor', 'ci', '--reason', 'r'], 'x')
        expect(r.code).toBe(2)
        expect(r.stderr).toContain('--accessor is refused in client mode')
        expect(existsSync(FAKE_DB())).toBe(false)
      })

      test('a revoked token: exit 1, the token never printed', async () => {
        const store = await openStore(db.url)
        try {
          await new ClientService({ db: store.db }).revoke('mcp-github', tokenId)
        } finally {
          await store.close()
        }
        const r = await cli(['render', '--reason', 'r'], '${SECRET:GITHUB_TOKEN}')
        expect(r.code).toBe(1)
        expect(r.stdout).toBe('')
        expect(r.stderr).toContain('refused the token (401')
        expect(r.stderr + serve.stderr()).not.toContain(token.slice(4))
      })

      test('configuration errors exit 78 and never print the token', async () => {
        const loose = join(tmp.dir, 'loose.token')
        writeFileSync(loose, token)
        chmodSync(loose, 0o644)
        const cases: Array<[Record<string, string>, string]> = [
          [{ CLAUDE_HOOKS_SECRETS_URL: serve.base }, 'no token'],
          [{ CLAUDE_HOOKS_SECRETS_URL: serve.base, CLAUDE_HOOKS_SECRETS_TOKEN: token, CLAUDE_HOOKS_SECRETS_TOKEN_FILE: loose }, 'both'],
          [{ CLAUDE_HOOKS_SECRETS_URL: serve.base, CLAUDE_HOOKS_SECRETS_TOKEN_FILE: loose }, 'readable by others'],
          [{ CLAUDE_HOOKS_SECRETS_URL: serve.base, CLAUDE_HOOKS_SECRETS_TOKEN: `${token}x` }, 'does not hold a client token'],
          [{ CLAUDE_HOOKS_SECRETS_URL: 'ftp://x', CLAUDE_HOOKS_SECRETS_TOKEN: token }, 'http:// or https://'],
        ]
        for (const [env, message] of cases) {
          const r = await cli(['render', '--reason', 'r'], 'x', env)
          expect([message, r.code]).toEqual([message, 78])
          expect(r.stderr).toContain(message)
          expect(r.stderr).not.toContain(token.slice(4, 20))
        }
      })
    }),
  )
}
