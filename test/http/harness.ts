import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SecretsContext } from '../../src/context.ts'
import type { ServerBindings } from '../../src/http/app-env.ts'
import { type AppOptions, createApp } from '../../src/http/app.ts'
import type { RequestLogEntry } from '../../src/http/app-logger.ts'
import { OperatorService } from '../../src/operators/operator.service.ts'
import { operatorDb } from '../../src/operators/operator.table.ts'
import { memoryContext, testClock } from '../helpers/context.ts'
import type { TestDialect } from '../helpers/databases.ts'

/** Cheap scrypt for tests: same scheme, 1 MiB instead of 128. */
export const FAST_SCRYPT = { ln: 10, r: 8, p: 1 }
export const ALICE = { username: 'alice', password: 'correct horse battery' }
export const BOB = { username: 'bob', password: 'bob has a long password' }

/** An empty directory: the UI is "not built" unless a test says otherwise. */
export const NO_UI = mkdtempSync(join(tmpdir(), 'chs-no-ui-'))

/** A logged-in browser: its cookie header and CSRF token. */
export interface Login {
  cookie: string
  csrf: string
}

/**
 * A fresh store (in-memory SQLite, or a new PostgreSQL database), two
 * operators (alice, bob), a test clock and the app over them. Every response body is recorded (for "never echoed"
 * checks) and so is every log line.
 */
export async function harness(options: Partial<Omit<AppOptions, 'ctx'>> = {}, dialect: TestDialect = 'sqlite') {
  const clock = testClock()
  const ctx: SecretsContext = await memoryContext({}, { now: clock.now }, dialect)
  const operators = new OperatorService({ db: ctx.store.db, now: clock.now, passwordParams: FAST_SCRYPT })
  await operators.add(ALICE.username, ALICE.password)
  await operators.add(BOB.username, BOB.password)
  const logs: RequestLogEntry[] = []
  const errors: Array<{ where: string; error: unknown }> = []
  const app = createApp({
    ctx,
    now: clock.now,
    passwordParams: FAST_SCRYPT,
    webDir: NO_UI,
    logger: { request: (e) => logs.push(e), error: (where, error) => errors.push({ where, error }) },
    ...options,
  })
  const bodies: string[] = []

  /** `app.request` on http://localhost, recording the body it answered. */
  async function request(path: string, init: RequestInit = {}, bindings: ServerBindings = { remoteAddress: '127.0.0.1' }): Promise<Response> {
    const url = path.startsWith('http') ? path : `http://localhost${path}`
    const res = await app.request(url, init, bindings)
    bodies.push(await res.clone().text())
    return res
  }

  async function login(who = ALICE, bindings?: ServerBindings): Promise<Login> {
    const res = await request('/session', jsonInit('POST', who), bindings)
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`)
    const cookie = res.headers.get('Set-Cookie')!.split(';')[0]!
    return { cookie, csrf: ((await res.json()) as { csrf_token: string }).csrf_token }
  }

  /** A request as the UI sends it: cookie, CSRF token, JSON body. */
  function as(session: Login, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const h: Record<string, string> = { Cookie: session.cookie, 'X-CSRF-Token': session.csrf, ...headers }
    if (body !== undefined) h['Content-Type'] ??= 'application/json'
    return request(path, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) })
  }

  /** Every row of every table a request could change, to assert that one did not. */
  async function snapshot() {
    const db = operatorDb(ctx.store.db)
    return {
      secret: await db.selectFrom('secret').selectAll().orderBy('name').execute(),
      secret_version: await ctx.store.db.selectFrom('secret_version').selectAll().orderBy('name').orderBy('version').execute(),
      audit: await db.selectFrom('secret_access_log').selectAll().orderBy('id').execute(),
      operator: await db.selectFrom('operator').selectAll().orderBy('username').execute(),
      session: await db.selectFrom('operator_session').selectAll().orderBy('token_hash').execute(),
    }
  }

  return { app, ctx, clock, operators, logs, errors, bodies, request, login, as, snapshot, close: () => ctx.close() }
}

export type Harness = Awaited<ReturnType<typeof harness>>

/** RequestInit for a JSON body. */
export function jsonInit(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) }
}

/** The error body of a response, asserted to have the documented shape. */
/** The whole JSON body of an answer, for comparing error bodies whole where the whole body is the contract. */
export async function bodyOf(res: Response): Promise<unknown> {
  return res.json()
}

export async function errorOf(res: Response): Promise<{ code: string; message: string; field?: string }> {
  const body = (await res.json()) as { error: { code: string; message: string; field?: string } }
  return body.error
}
