/**
 * The same command-line and HTTP flows against both builds, over real
 * processes and a real socket: `bin/secrets` (Bun, from source) and
 * `node dist/cli.js` (the Node 20+ build of `npm run build`), on each
 * database of the matrix.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { ensureWebBuild } from '../../scripts/build-web.ts'
import { NODE_BUILD, nodeBuildRuns, ROOT, runProcess, runtimes } from '../helpers/builds.ts'
import { tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'
import { login, startServe } from '../helpers/serve.ts'

const RUNTIMES = runtimes('runtimes')
const run = runProcess

for (const runtime of RUNTIMES) {
  describe.skipIf(!runtime.runs)(runtime.name, () => describeEachDialect(`${runtime.name} build`, (dialect) => {
    let tmp: ReturnType<typeof tempDir>
    let db: Awaited<ReturnType<typeof freshDatabase>>
    let env: Record<string, string>
    const cli = (args: string[], stdin?: string) => run([...runtime.cmd, ...args], env, stdin)

    beforeAll(async () => {
      // Both builds serve web/dist; `npm start` and `npm run build` make it, and so does this.
      await ensureWebBuild({ quiet: true })
      tmp = tempDir()
      db = await freshDatabase(dialect, `file:${join(tmp.dir, 'secrets.db')}`)
      env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
    })
    afterAll(async () => {
      await db.drop()
      tmp.cleanup()
    })

    test('refuses to start without a valid key: exit 78, one line, no key material', async () => {
      const r = await run([...runtime.cmd, 'list'], { DATABASE_URL: env.DATABASE_URL!, CLAUDE_HOOKS_SECRET_KEY: 'c2hvcnQ=' })
      expect(r.code).toBe(78)
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(r.stderr).toContain('CLAUDE_HOOKS_SECRET_KEY decodes to 5 bytes')
      expect(r.stderr).not.toContain('c2hvcnQ')
    })

    test('keygen, set from stdin, list, rotate, render, audit verify', async () => {
      const key = await cli(['keygen'])
      expect(atob(key.stdout.trim()).length).toBe(32)
      expect(await cli(['set', 'FORGE_TOKEN', '--description', 'forge'], 'ghp_runtime_value\n')).toMatchObject({ code: 0 })
      const list = await cli(['list', '--json'])
      expect(list.code).toBe(0)
      expect(JSON.parse(list.stdout).secrets.map((s: { name: string }) => s.name)).toEqual(['FORGE_TOKEN'])
      expect(list.stdout).not.toContain('ghp_runtime_value')
      expect((await cli(['rotate', 'FORGE_TOKEN'])).code).toBe(0)
      const rendered = await cli(['render', '--accessor', 'ci', '--reason', 'runtime test'], 'token: ${SECRET:FORGE_TOKEN}\n')
      expect(rendered).toMatchObject({ code: 0, stdout: 'token: ghp_runtime_value\n', stderr: '' })
      const missing = await cli(['render', '--accessor', 'ci', '--reason', 'runtime test'], '${SECRET:NOPE}')
      expect(missing).toMatchObject({ code: 3, stdout: '', stderr: 'secrets: missing secret: NOPE\n' })
      const verify = await cli(['audit', 'verify'])
      expect(verify.code).toBe(0)
      expect(verify.stdout).toStartWith('ok: 3 rows')
    })

    test('serve: login, CSRF-guarded create, list without values, access log, SIGTERM exits 0', async () => {
      expect((await cli(['operator', 'add', 'alice'], 'correct horse battery staple\n')).code).toBe(0)
      const serve = await startServe([...runtime.cmd, 'serve', '--port', '0'], env)
      try {
        const base = serve.base
        expect(base).toStartWith('http://127.0.0.1:')

        expect((await fetch(`${base}/healthz`)).status).toBe(200)
        // The Host check sees this runtime's port: a rebound name is refused, localhost is not.
        const port = new URL(base).port
        expect((await fetch(`${base}/healthz`, { headers: { Host: `rebind.example:${port}` } })).status).toBe(421)
        expect((await fetch(`${base}/healthz`, { headers: { Host: `localhost:${port}` } })).status).toBe(200)
        expect((await fetch(`${base}/healthz`, { headers: { Host: `localhost:${Number(port) + 1}` } })).status).toBe(421)
        expect((await fetch(`${base}/secrets`)).status).toBe(401)

        const { cookie, csrf: csrf_token, status } = await login(base, 'alice', 'correct horse battery staple')
        expect(status).toBe(200)

        const body = JSON.stringify({ name: 'HTTP_TOKEN', value: 'sk-live-over-http' })
        const headers = { cookie, 'content-type': 'application/json' }
        const refused = await fetch(`${base}/secrets`, { method: 'POST', headers, body })
        expect(refused.status).toBe(403)
        const created = await fetch(`${base}/secrets`, { method: 'POST', headers: { ...headers, 'x-csrf-token': csrf_token }, body })
        expect(created.status).toBe(201)
        expect(await created.text()).not.toContain('sk-live-over-http')

        const list = await fetch(`${base}/secrets`, { headers: { cookie } })
        const listed = await list.text()
        expect(JSON.parse(listed).secrets.map((s: { name: string }) => s.name)).toEqual(['FORGE_TOKEN', 'HTTP_TOKEN'])
        expect(listed).not.toContain('sk-live-over-http')
        expect(listed).not.toContain('ghp_runtime_value')

        const log = await fetch(`${base}/secrets/HTTP_TOKEN/access-log`, { headers: { cookie } })
        expect(((await log.json()) as { entries: Array<{ action: string; accessor: string }> }).entries).toMatchObject([
          { action: 'create', accessor: 'operator:alice' },
        ])
        const ui = await fetch(`${base}/settings/secrets`)
        expect(ui.status).toBe(200)
        expect(ui.headers.get('content-type')).toContain('text/html')
      } finally {
        expect(await serve.stop()).toBe(0)
      }
    })
  }))
}
