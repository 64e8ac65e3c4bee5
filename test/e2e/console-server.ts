/**
 * The setup the console's browser suites share: `bin/secrets serve --port 0`
 * on a fresh SQLite file with the operator alice, an HTTP session of the
 * test's own for making data, and Debian's Chromium launched headless with
 * every name but 127.0.0.1 unresolvable.
 */
import { expect } from 'bun:test'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { ensureWebBuild } from '../../scripts/build-web.ts'
import { tempDir } from '../helpers/context.ts'
import { randomKey } from '../helpers/keys.ts'
import { BIN, type RunningChild, runSecrets, startChild } from './processes.ts'

export const CHROMIUM = '/usr/bin/chromium'

/** A running server, its store, and an operator session on it. */
export interface ConsoleServer {
  tmp: ReturnType<typeof tempDir>
  env: Record<string, string>
  server: RunningChild
  /** `http://127.0.0.1:PORT` */
  base: string
  /** A request with the test's own session cookie and CSRF token (JSON body when given). */
  api(method: string, path: string, body?: unknown): Promise<Response>
  /** Stops the server (failing with its output when it did not exit 0), then removes the store. */
  stop(): Promise<void>
}

/** Starts the server on a fresh store (`tempDir(prefix)`) with operator alice / `password`, and logs in over HTTP. */
export async function startConsoleServer(prefix: string, password: string): Promise<ConsoleServer> {
  const tmp = tempDir(prefix)
  let server: RunningChild | undefined
  const stop = async () => {
    try {
      const code = await server?.stop()
      if (server && code !== 0) throw new Error(`the server exited with ${code}; its output:\n${server.output()}`)
    } finally {
      tmp.cleanup()
    }
  }
  try {
    const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${join(tmp.dir, 'secrets.db')}` }
    expect((await runSecrets(['operator', 'add', 'alice'], { env, stdin: `${password}\n` })).code).toBe(0)
    await ensureWebBuild({ quiet: true })
    server = startChild([BIN, 'serve', '--port', '0'], { env })
    const base = (await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+) /))[1]!

    const login = await fetch(`${base}/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password }),
    })
    expect(login.status).toBe(200)
    const session = { cookie: login.headers.get('Set-Cookie')!.split(';')[0]!, csrf: ((await login.json()) as { csrf_token: string }).csrf_token }
    async function api(method: string, path: string, body?: unknown): Promise<Response> {
      const headers: Record<string, string> = { Cookie: session.cookie, 'X-CSRF-Token': session.csrf }
      if (body !== undefined) headers['Content-Type'] = 'application/json'
      return fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    }
    return { tmp, env, server, base, api, stop }
  } catch (e) {
    await stop().catch(() => {}) // the setup's own error is the one to report
    throw e
  }
}

/** Chromium, headless, sandbox and network services off; only 127.0.0.1 resolves. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  })
}
