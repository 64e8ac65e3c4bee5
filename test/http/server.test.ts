import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SecretsContext } from '../../src/context.ts'
import { createApp } from '../../src/http/app.ts'
import type { RequestLogEntry } from '../../src/http/app-logger.ts'
import { type RunningServer, startServer } from '../../src/http/server.ts'
import { OperatorService } from '../../src/operators/operator.service.ts'
import { memoryContext, tempDir } from '../helpers/context.ts'
import { ALICE, FAST_SCRYPT } from './harness.ts'

// The real server over a socket (Bun.serve here), on 127.0.0.1 only.
let ctx: SecretsContext
let server: RunningServer
let ui: ReturnType<typeof tempDir>
const logs: RequestLogEntry[] = []
const errors: Array<{ where: string; error: unknown }> = []

beforeAll(async () => {
  ctx = await memoryContext()
  await new OperatorService({ db: ctx.store.db, passwordParams: FAST_SCRYPT }).add(ALICE.username, ALICE.password)
  ui = tempDir('chs-ui-socket-')
  mkdirSync(join(ui.dir, 'assets'))
  writeFileSync(join(ui.dir, 'index.html'), '<!doctype html><script type="module" src="/assets/app-00000000.js"></script>')
  writeFileSync(join(ui.dir, 'assets', 'app-00000000.js'), 'export {}')
  const app = createApp({ ctx, passwordParams: FAST_SCRYPT, webDir: ui.dir, logger: { request: (e) => logs.push(e), error: (where, error) => errors.push({ where, error }) } })
  server = await startServer(app.fetch, { host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await server.stop()
  await ctx.close()
  ui.cleanup()
})

describe('over a socket', () => {
  test('listens on 127.0.0.1 with the port it was given', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.url).not.toEndWith(':0')
  })

  test('a browser-like session: log in, create, list, log out', async () => {
    const login = await fetch(`${server.url}/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: server.url, 'Sec-Fetch-Site': 'same-origin' },
      body: JSON.stringify(ALICE),
    })
    expect(login.status).toBe(200)
    const setCookie = login.headers.get('Set-Cookie')!
    expect(setCookie).toContain('HttpOnly')
    expect(setCookie).toContain('SameSite=Strict')
    const cookie = setCookie.split(';')[0]!
    const { csrf_token } = (await login.json()) as { csrf_token: string }
    const headers = { Cookie: cookie, 'X-CSRF-Token': csrf_token, Origin: server.url, 'Content-Type': 'application/json' }

    const created = await fetch(`${server.url}/secrets`, { method: 'POST', headers, body: JSON.stringify({ name: 'OVER_SOCKET', value: 'SENTINEL-socket' }) })
    expect(created.status).toBe(201)
    const list = await fetch(`${server.url}/secrets`, { headers: { Cookie: cookie } })
    const text = await list.text()
    expect(JSON.parse(text).secrets.map((s: { name: string }) => s.name)).toEqual(['OVER_SOCKET'])
    expect(text).not.toContain('SENTINEL')
    expect(list.headers.get('Cache-Control')).toBe('no-store')
    expect(list.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'")

    const crossSite = await fetch(`${server.url}/secrets/OVER_SOCKET`, { method: 'DELETE', headers: { ...headers, Origin: 'https://evil.example' } })
    expect(crossSite.status).toBe(403)

    expect((await fetch(`${server.url}/session`, { method: 'DELETE', headers })).status).toBe(204)
    expect((await fetch(`${server.url}/secrets`, { headers: { Cookie: cookie } })).status).toBe(401)
  })

  test('the peer address reaches the throttle: a username spray from 127.0.0.1 gets 429', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${server.url}/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: `spray${i}`, password: 'wrong password' }),
      })
      expect(res.status).toBe(401)
    }
    const locked = await fetch(`${server.url}/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(ALICE),
    })
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(0)
  })

  test('a client that hangs up before its body is complete is not a server error: logged as 400, no error line', async () => {
    const { connect } = await import('node:net')
    const before = logs.length
    await new Promise<void>((resolve, reject) => {
      const port = Number(new URL(server.url).port)
      const socket = connect(port, '127.0.0.1', () => {
        const body = '{"username":"alice","pass'
        socket.write(
          `POST /session HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nOrigin: ${server.url}\r\n` +
            `Sec-Fetch-Site: same-origin\r\nContent-Length: 1000\r\n\r\n${body}`,
          () => setTimeout(() => socket.destroy(), 50),
        )
      })
      socket.on('close', () => resolve())
      socket.on('error', reject)
    })
    // The server notices the hang-up on its own time: wait for the request's log line (a busy machine may take a while).
    for (let i = 0; i < 200 && !logs.slice(before).some((e) => e.route === '/session'); i++) await Bun.sleep(50)
    const line = logs.slice(before).find((e) => e.route === '/session')
    expect(line?.status).toBe(400)
    expect(errors).toEqual([])
  })

  test('413 for an oversized body, 404 JSON for an unknown route', async () => {
    const big = await fetch(`${server.url}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'x'.repeat(200_000) })
    expect(big.status).toBe(413)
    const missing = await fetch(`${server.url}/nope`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no such route' } })
  })

  test('serves the UI and its assets from memory', async () => {
    const page = await fetch(`${server.url}/settings/secrets`)
    expect(page.status).toBe(200)
    expect(page.headers.get('Content-Type')).toBe('text/html; charset=utf-8')
    expect(await page.text()).toContain('/assets/app-00000000.js')
    const asset = await fetch(`${server.url}/assets/app-00000000.js`)
    expect(asset.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8')
    expect(await asset.text()).toBe('export {}')
    const home = await fetch(`${server.url}/`, { redirect: 'manual' })
    expect(home.status).toBe(302)
  })

  test('every request was logged without query strings', async () => {
    await fetch(`${server.url}/healthz?token=SENTINEL-query`)
    expect(logs.at(-1)).toMatchObject({ method: 'GET', route: '/healthz', status: 200 })
    expect(JSON.stringify(logs)).not.toContain('SENTINEL')
  })
})
