/**
 * /metrics and the JSON request log of a real `secrets serve`, over a real
 * socket, on both builds (Bun from source, and the Node build). The store
 * does not matter here: SQLite only.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { ensureWebBuild } from '../../scripts/build-web.ts'
import { runProcess, runtimes } from '../helpers/builds.ts'
import { tempDir } from '../helpers/context.ts'
import { randomKey } from '../helpers/keys.ts'
import { login } from '../helpers/serve.ts'

const TOKEN = 'observability-token-0123456789abcdef'
const PASSWORD = 'SENTINEL-observability-password'
// An address of this machine that is not loopback, to be a "remote" peer over a real socket.
const OTHER = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address

/** Starts `secrets serve` on 0.0.0.0 with stdout piped (so: JSON lines); waits for its listening line. */
async function serve(cmd: string[], env: Record<string, string>) {
  const proc = Bun.spawn([...cmd, 'serve', '--host', '0.0.0.0', '--port', '0'], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const stdout = new Response(proc.stdout).text()
  const reader = proc.stderr.getReader()
  let text = ''
  let m: RegExpExecArray | null
  while (!(m = /listening on http:\/\/0\.0\.0\.0:(\d+) /.exec(text))) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`server exited: ${text}`)
    text += new TextDecoder().decode(value)
  }
  void (async () => {
    while (!(await reader.read()).done);
  })()
  return { port: Number(m[1]), stop: async () => (proc.kill('SIGTERM'), await proc.exited, await stdout) }
}

for (const runtime of runtimes('observability')) {
  describe.skipIf(!runtime.runs)(`/metrics and JSON logs (${runtime.name})`, () => {
    let tmp: ReturnType<typeof tempDir>
    let env: Record<string, string>
    let server: Awaited<ReturnType<typeof serve>>
    let base: string
    beforeAll(async () => {
      await ensureWebBuild({ quiet: true })
      tmp = tempDir()
      env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${join(tmp.dir, 'secrets.db')}`, METRICS_TOKEN: TOKEN }
      expect((await runProcess([...runtime.cmd, 'operator', 'add', 'alice'], env, `${PASSWORD}\n`)).code).toBe(0)
      server = await serve(runtime.cmd, env)
      base = `http://127.0.0.1:${server.port}`
    })
    afterAll(() => tmp.cleanup())

    test('counters move with requests; a wrong token is refused, the right one served', async () => {
      expect((await login(base, 'alice', PASSWORD)).status).toBe(200)
      expect((await login(base, 'alice', 'wrong password entirely')).status).toBe(401)
      const local = await fetch(`${base}/metrics`)
      expect(local.status).toBe(200)
      const text = await local.text()
      expect(text).toContain('secrets_http_requests_total{method="POST",route="/session",status="200"} 1')
      expect(text).toContain('secrets_http_requests_total{method="POST",route="/session",status="401"} 1')
      expect(text).toContain('secrets_audit_appends_total{action="login",outcome="denied"} 1')
      expect((await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401)
      expect((await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200)
    })

    test.skipIf(OTHER === undefined)('from a non-loopback address: refused without the token, served with it', async () => {
      const remote = `http://${OTHER}:${server.port}/metrics`
      const refused = await fetch(remote)
      expect(refused.status).toBe(401)
      expect(await refused.text()).not.toContain('secrets_http')
      expect((await fetch(remote, { headers: { Authorization: 'Bearer wrong-token-0123456789abcdef' } })).status).toBe(401)
      const served = await fetch(remote, { headers: { Authorization: `Bearer ${TOKEN}` } })
      expect(served.status).toBe(200)
      expect(await served.text()).toContain('route="/metrics",status="401"')
    })

    test('stdout is JSON lines: one per request with time, request id, route pattern, status, client address; no password', async () => {
      const out = await server.stop()
      expect(out).not.toContain(PASSWORD)
      expect(out).not.toContain(TOKEN)
      const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
      expect(lines[0]).toMatchObject({ level: 'info', msg: 'listening' })
      expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'stopping', signal: 'SIGTERM' })
      const requests = lines.filter((l) => l.msg === 'request')
      expect(requests.length).toBeGreaterThanOrEqual(5)
      for (const r of requests) {
        expect(Object.keys(r)).toEqual(expect.arrayContaining(['time', 'level', 'request_id', 'method', 'route', 'status', 'duration_ms']))
        expect(typeof r.client_address).toBe('string')
      }
      expect(requests.find((r) => r.route === '/session' && r.status === 401)).toMatchObject({ level: 'warn', method: 'POST' })
    })
  })
}
