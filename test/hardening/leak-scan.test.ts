/**
 * Longer than the usual 300 lines: one scan over every flow, so that every
 * output is searched for every sentinel.
 *
 * Leak scan (issue 8): every CLI and HTTP flow run with random sentinel
 * values, then every place a value must never reach is searched for each
 * sentinel in every form a careless encoder could give it: as is, standard
 * and url-safe base64 (at each of the three byte alignments, so a sentinel
 * inside a longer encoded string is found too), hex (both cases) and
 * JSON-escaped. Searched: the server's stdout and stderr, every HTTP
 * response (status line, headers, body), the CLI's stdout and stderr (but
 * the rendered output itself, which holds the value by design), the raw
 * bytes of the SQLite file and its -wal and -shm files, and every audit row.
 * Zero hits. Client tokens (docs/clients.md) are searched the same way, also
 * by their secret part alone (hex and base64url of the 24 bytes after the
 * public id), in every place but the one answer that shows each once (the
 * stdout of `secrets client token`, the 201 of POST /clients/{name}/tokens),
 * and in the argv of every command.
 *
 * Everything runs as operators run it: `bin/secrets` child processes and
 * `bin/secrets serve` on 127.0.0.1 over a SQLite file. The UI flow is
 * scanned in a real browser by test/e2e/ui.e2e.test.ts ("no response body
 * with a value").
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openSecrets } from '../../src/context.ts'
import { BIN, runBin } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { randomKey } from '../helpers/keys.ts'

/** A random value that contains characters JSON escapes, so the escaped form differs. */
const sentinel = (what: string) => `SENTINEL-${what}-${crypto.randomUUID()}-"q\\`

const S = {
  /** Set with `secrets set` (stdin), rendered, rotated. */
  cliSet: sentinel('cli-set'),
  /** Set with `secrets set`, then replaced over HTTP. */
  cliReplaced: sentinel('cli-replaced'),
  /** Created over HTTP. */
  httpCreate: sentinel('http-create'),
  /** The replacement value over HTTP. */
  httpReplace: sentinel('http-replace'),
  /** Created over HTTP, then deleted. */
  httpDeleted: sentinel('http-deleted'),
  /** Values in requests the server refuses. */
  httpRefused: sentinel('http-refused'),
  /** The operator's password (login bodies, `operator add` stdin). */
  password: sentinel('password').replace('"q\\', 'pw'),
  /** A secret pasted into a malformed placeholder of a render input. */
  pasted: `sk_live_${crypto.randomUUID().replaceAll('-', '')}`,
}

/** Client tokens issued during the scan, by how they were made (filled in as they are). */
const T: Record<string, string> = {}

/** The bytes a sentinel may leak as. */
function forms(value: string): Array<{ form: string; bytes: Uint8Array }> {
  const raw = Buffer.from(value, 'utf8')
  const token = /^chs_([A-Za-z0-9_-]{43})$/.exec(value)
  if (token) {
    // A client token: its text in every form below, and its secret part (the
    // 24 bytes after the 8-byte public id) alone, as hex and base64url.
    const secret = Buffer.from(token[1]!, 'base64url').subarray(8)
    const extra = [
      { form: 'token body', bytes: Buffer.from(token[1]!, 'ascii') },
      { form: 'token secret hex', bytes: Buffer.from(secret.toString('hex'), 'ascii') },
      { form: 'token secret base64url', bytes: Buffer.from(secret.toString('base64url').slice(0, 30), 'ascii') },
    ]
    return [...extra, ...sentinelForms(value, raw)]
  }
  return sentinelForms(value, raw)
}

function sentinelForms(value: string, raw: Buffer): Array<{ form: string; bytes: Uint8Array }> {
  const out: Array<{ form: string; bytes: Uint8Array }> = [
    { form: 'raw', bytes: raw },
    { form: 'json', bytes: Buffer.from(JSON.stringify(value).slice(1, -1), 'utf8') },
    { form: 'hex', bytes: Buffer.from(raw.toString('hex'), 'ascii') },
    { form: 'HEX', bytes: Buffer.from(raw.toString('hex').toUpperCase(), 'ascii') },
  ]
  // The random part alone: a leak of a fragment is still a leak.
  const uuid = /[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{32}/.exec(value)?.[0]
  if (uuid) out.push({ form: 'random part', bytes: Buffer.from(uuid, 'ascii') })
  for (let k = 0; k < 3; k++) {
    const padded = Buffer.concat([Buffer.alloc(k), raw])
    const std = padded.toString('base64')
    // The characters whose 6 bits all come from the sentinel's own bytes.
    const from = Math.ceil((8 * k) / 6)
    const to = Math.floor((8 * (k + raw.length)) / 6)
    const core = std.slice(from, to)
    out.push({ form: `base64+${k}`, bytes: Buffer.from(core, 'ascii') })
    out.push({ form: `base64url+${k}`, bytes: Buffer.from(core.replaceAll('+', '-').replaceAll('/', '_'), 'ascii') })
  }
  return out
}

/** Every place searched: a label and its bytes. */
const haystacks: Array<{ where: string; bytes: Uint8Array }> = []
const look = (where: string, data: string | Uint8Array) =>
  haystacks.push({ where, bytes: typeof data === 'string' ? Buffer.from(data, 'utf8') : data })

function hits(values: Record<string, string>): string[] {
  const found: string[] = []
  for (const [name, value] of Object.entries(values)) {
    for (const { form, bytes } of forms(value)) {
      for (const h of haystacks) {
        if (Buffer.from(h.bytes.buffer, h.bytes.byteOffset, h.bytes.byteLength).indexOf(bytes) !== -1) found.push(`${name} (${form}) in ${h.where}`)
      }
    }
  }
  return found
}

let tmp: ReturnType<typeof tempDir>
let env: Record<string, string>
let dbPath: string
const file = (name: string) => join(tmp.dir, name)
const cliRuns: string[] = []

/** Runs bin/secrets; stdout and stderr are searched unless `renderOutput` says stdout is the render itself. */
async function cli(argv: string[], stdin?: string, options: { renderOutput?: boolean; code?: number; env?: Record<string, string> } = {}) {
  const r = await runBin(argv, { env: options.env ?? env, stdin })
  const label = `secrets ${argv.join(' ')}`
  cliRuns.push(label)
  look(`argv of ${label}`, label)
  expect({ label, code: r.code, stderr: r.stderr }).toMatchObject({ label, code: options.code ?? 0 })
  if (!options.renderOutput) look(`stdout of ${label}`, r.stdout)
  look(`stderr of ${label}`, r.stderr)
  return r
}

interface Server {
  base: string
  proc: ReturnType<typeof Bun.spawn>
  stdout: Promise<string>
  stderr: Promise<string>
}

async function startServer(): Promise<Server> {
  const proc = Bun.spawn([BIN, 'serve', '--port', '0'], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader()
  let text = ''
  while (!/listening on (http:\/\/\S+) /.test(text)) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`server exited: ${text}`)
    text += new TextDecoder().decode(value)
  }
  const stderr = (async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return text
      text += new TextDecoder().decode(value)
    }
  })()
  return { base: /listening on (http:\/\/\S+) /.exec(text)![1]!, proc, stdout: new Response(proc.stdout as ReadableStream).text(), stderr }
}

let server: Server
let cookie = ''
let csrf = ''
const answers: Array<{ what: string; status: number }> = []

/** One HTTP request; its status line, every header and the body are searched. */
async function http(
  what: string,
  method: string,
  path: string,
  body?: string | object,
  headers: Record<string, string> = {},
  options: { bodyIsTheAnswer?: boolean } = {},
): Promise<Response> {
  const h: Record<string, string> = { ...headers }
  if (cookie && !('Cookie' in h)) h.Cookie = cookie
  if (csrf && !('X-CSRF-Token' in h)) h['X-CSRF-Token'] = csrf
  if (body !== undefined && !('Content-Type' in h)) h['Content-Type'] = 'application/json'
  const res = await fetch(`${server.base}${path}`, { method, headers: h, body: typeof body === 'object' ? JSON.stringify(body) : body })
  const text = await res.text()
  const head = [`${res.status} ${res.statusText}`, ...[...res.headers].map(([k, v]) => `${k}: ${v}`)].join('\n')
  // A render's or a token issue's body holds a value or the token by design: its headers are still searched.
  look(`response to ${what} (${method} ${path})`, options.bodyIsTheAnswer ? head : `${head}\n\n${text}`)
  answers.push({ what, status: res.status })
  return new Response(text, { status: res.status, headers: res.headers })
}

beforeAll(async () => {
  tmp = tempDir('chs-leak-')
  dbPath = file('secrets.db')
  env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${dbPath}` }

  // --- CLI flows ---
  await cli(['operator', 'add', 'alice'], `${S.password}\n`)
  await cli(['set', 'CLI_SET', '--description', 'set from the cli'], S.cliSet)
  await cli(['set', 'CLI_REPLACED'], S.cliReplaced)
  await cli(['list'])
  await cli(['list', '--json'])
  await cli(['rotate', 'CLI_SET'])
  await cli(['rotate', '--all'])
  writeFileSync(file('in.txt'), 'token=${SECRET:CLI_SET}\nother=${SECRET:CLI_REPLACED}\nlit=$${SECRET:CLI_SET}\n')
  await cli(['render', '--accessor', 'leak-scan', '--reason', 'to a file', file('in.txt'), file('out.txt')])
  expect(readFileSync(file('out.txt'), 'utf8')).toContain(S.cliSet)
  const toStdout = await cli(['render', '--accessor', 'leak-scan', '--reason', 'to stdout', file('in.txt')], undefined, { renderOutput: true })
  expect(toStdout.stdout).toContain(S.cliReplaced)
  const fromStdin = await cli(['render', '--accessor', 'leak-scan', '--reason', 'stdin to stdout'], 'x=${SECRET:CLI_SET}', { renderOutput: true })
  expect(fromStdin.stdout).toBe(`x=${S.cliSet}`)
  await cli(['render', '--check', file('in.txt')])
  writeFileSync(file('missing.txt'), 'a=${SECRET:CLI_SET}\nb=${SECRET:NOT_THERE}\n')
  await cli(['render', '--accessor', 'leak-scan', '--reason', 'missing', file('missing.txt'), file('never.txt')], undefined, { code: 3 })
  expect(existsSync(file('never.txt'))).toBe(false)
  // Nor a temporary file of that render (it is written beside OUT, then renamed or removed).
  expect(readdirSync(tmp.dir).filter((f) => f.includes('never.txt'))).toEqual([])
  // A secret pasted where a name goes: the error gives line and column, never the text.
  writeFileSync(file('malformed.txt'), `ok=\${SECRET:CLI_SET}\nbad=\${SECRET:${S.pasted}}\n`)
  await cli(['render', '--accessor', 'leak-scan', '--reason', 'malformed', file('malformed.txt')], undefined, { code: 3 })
  await cli(['render', '--check', file('malformed.txt')], undefined, { code: 3 })
  await cli(['set', 'lower_case'], S.httpRefused, { code: 1 })
  await cli(['keys'])
  await cli(['keys', '--json'])
  await cli(['client', 'add', 'leak-ci', '--grant', 'CLI_*', '--description', 'leak scan client'])
  await cli(['client', 'add', 'leak-other', '--grant', 'HTTP_*'])
  T.cli = (await cli(['client', 'token', 'leak-ci', '--ttl', '1d'], undefined, { renderOutput: true })).stdout.trim()
  T.cliRevoked = (await cli(['client', 'token', 'leak-ci'], undefined, { renderOutput: true })).stdout.trim()
  await cli(['client', 'list'])
  await cli(['client', 'list', '--json'])

  // --- HTTP flows, against the real server ---
  server = await startServer()
  await http('a wrong password', 'POST', '/session', { username: 'alice', password: `${S.password}x` })
  await http('an unknown user', 'POST', '/session', { username: 'mallory', password: S.password })
  const login = await http('login', 'POST', '/session', { username: 'alice', password: S.password })
  expect(login.status).toBe(200)
  cookie = login.headers.get('set-cookie')!.split(';')[0]!
  csrf = ((await login.json()) as { csrf_token: string }).csrf_token
  await http('who am I', 'GET', '/session')
  expect((await http('create', 'POST', '/secrets', { name: 'HTTP_CREATE', value: S.httpCreate, description: 'made over http' })).status).toBe(201)
  expect((await http('create another', 'POST', '/secrets', { name: 'HTTP_DELETED', value: S.httpDeleted })).status).toBe(201)
  expect((await http('create a duplicate', 'POST', '/secrets', { name: 'HTTP_CREATE', value: S.httpRefused })).status).toBe(409)
  expect((await http('replace', 'PUT', '/secrets/HTTP_CREATE', { value: S.httpReplace })).status).toBe(200)
  expect((await http('replace a CLI secret', 'PUT', '/secrets/CLI_REPLACED', { value: S.httpReplace, description: 'replaced' })).status).toBe(200)
  expect((await http('rotate', 'POST', '/secrets/HTTP_CREATE/rotate')).status).toBe(200)
  expect((await http('list', 'GET', '/secrets')).status).toBe(200)
  expect((await http('get', 'GET', '/secrets/HTTP_CREATE')).status).toBe(200)
  expect((await http('access log', 'GET', '/secrets/CLI_SET/access-log?limit=2')).status).toBe(200)
  expect((await http('delete', 'DELETE', '/secrets/HTTP_DELETED')).status).toBe(204)
  expect((await http('access log of the deleted', 'GET', '/secrets/HTTP_DELETED/access-log')).status).toBe(200)
  // Errors, each carrying a value the server must not repeat.
  const refused: Array<[string, string, string, string | object, Record<string, string>?]> = [
    ['a value over 64 KiB', 'POST', '/secrets', { name: 'BIG', value: S.httpRefused.repeat(1200) }],
    ['a description with a control character', 'POST', '/secrets', { name: 'DESC', value: 'x', description: `\u0007${S.httpRefused}` }],
    ['a value under a lowercase name', 'POST', '/secrets', { name: 'lower', value: S.httpRefused }],
    ['a value as an unknown key', 'POST', '/secrets', { name: 'KEYED', value: 'x', [S.httpRefused]: 1 }],
    ['a value in an unknown field', 'PUT', '/secrets/HTTP_CREATE', { value: 'x', old_value: S.httpRefused }],
    ['malformed JSON', 'POST', '/secrets', `{"name":"BAD","value":"${S.httpRefused}`],
    ['a text/plain body', 'POST', '/secrets', JSON.stringify({ name: 'PLAIN', value: S.httpRefused }), { 'Content-Type': 'text/plain' }],
    ['a value in the query', 'GET', `/secrets/HTTP_CREATE/access-log?cursor=${encodeURIComponent(S.httpRefused)}`, undefined as never],
    ['a value in an activity filter', 'GET', `/audit?since=${encodeURIComponent(S.httpRefused)}`, undefined as never],
    ['a value as the name in the path', 'GET', `/secrets/${encodeURIComponent(S.httpRefused)}`, undefined as never],
    ['a value on an unknown route', 'GET', `/nowhere/${encodeURIComponent(S.httpRefused)}`, undefined as never],
    ['a replace of a missing secret', 'PUT', '/secrets/NOT_THERE', { value: S.httpRefused }],
    ['a wrong CSRF token', 'POST', '/secrets', { name: 'CSRF', value: S.httpRefused }, { 'X-CSRF-Token': 'nope' }],
    ['no session', 'POST', '/secrets', { name: 'ANON', value: S.httpRefused }, { Cookie: '' }],
    ['a body over 128 KiB', 'PUT', '/secrets/HTTP_CREATE', { value: S.httpRefused.repeat(3000) }],
  ]
  for (const [what, method, path, body, headers] of refused) {
    const res = await http(what, method, path, body, headers)
    expect({ what, status: res.status }).toMatchObject({ what })
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
  }
  // Clients over HTTP: admin, then deliveries with every kind of token.
  expect((await http('create a client', 'POST', '/clients', { name: 'leak-http', grants: ['HTTP_*'] })).status).toBe(201)
  const issued = await http('issue a token', 'POST', '/clients/leak-http/tokens', { ttl: '1d' }, {}, { bodyIsTheAnswer: true })
  expect(issued.status).toBe(201)
  T.http = ((await issued.json()) as { token: string }).token
  expect((await http('list clients', 'GET', '/clients')).status).toBe(200)
  expect((await http('get a client', 'GET', '/clients/leak-http')).status).toBe(200)
  const bearer = (token: string, extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${token}`, 'X-Secrets-Reason': 'leak scan', Cookie: '', 'X-CSRF-Token': '', ...extra })
  const art = 'v=${SECRET:HTTP_CREATE}'
  expect((await http('a render', 'POST', '/render', art, bearer(T.http), { bodyIsTheAnswer: true })).status).toBe(200)
  expect((await http('a resolve', 'POST', '/resolve', { names: ['HTTP_CREATE'] }, bearer(T.http), { bodyIsTheAnswer: true })).status).toBe(200)
  const deliveryRefusals: Array<[string, string, string | object, Record<string, string>, number]> = [
    ['a render not granted', '/render', 'v=${SECRET:CLI_SET}', bearer(T.http), 403],
    ['a resolve of a missing secret', '/resolve', { names: ['HTTP_NOPE'] }, bearer(T.http), 422],
    ['a render with a malformed token', '/render', art, bearer(`${T.http}x`), 401],
    ['a render with an unknown token', '/render', art, bearer(`chs_${Buffer.alloc(32, 9).toString('base64url')}`), 401],
    ['a render with a wrong secret part', '/render', art, bearer(T.http.slice(0, -6) + (T.http.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA')), 401],
    ['a render with the token in the query', `/render?token=${T.http}`, art, { 'X-Secrets-Reason': 'r', Cookie: '', 'X-CSRF-Token': '' }, 401],
    ['a render with the token in a cookie', '/render', art, { 'X-Secrets-Reason': 'r', Cookie: `t=${T.http}`, 'X-CSRF-Token': '' }, 401],
    ['a render without a reason', '/render', art, bearer(T.http, { 'X-Secrets-Reason': '' }), 400],
  ]
  for (const [what, path, body, headers, status] of deliveryRefusals) {
    expect({ what, status: (await http(what, 'POST', path, body, headers)).status }).toEqual({ what, status })
  }
  // The activity across secrets and its export: every row above, no value.
  expect((await http('the activity', 'GET', '/audit?limit=200')).status).toBe(200)
  expect((await http('the activity export', 'GET', '/audit/export')).status).toBe(200)
  // The CLI as a client: no key, the token from a 0600 file.
  writeFileSync(file('leak-ci.token'), `${T.cli}\n`, { mode: 0o600 })
  const clientEnv = { CLAUDE_HOOKS_SECRETS_URL: server.base, CLAUDE_HOOKS_SECRETS_TOKEN_FILE: file('leak-ci.token') }
  await cli(['render', '--reason', 'client mode', file('in.txt'), file('out-client.txt')], undefined, { env: clientEnv })
  expect(readFileSync(file('out-client.txt'), 'utf8')).toContain(S.cliSet)
  await cli(['render', '--reason', 'client mode denied'], 'x=${SECRET:HTTP_CREATE}', { env: clientEnv, code: 1 })
  await cli(['render', '--reason', 'client mode missing'], 'x=${SECRET:CLI_NOPE}', { env: clientEnv, code: 3 })
  const revokedId = JSON.parse((await cli(['client', 'list', '--json'])).stdout).clients[0].tokens[1].id as string
  await cli(['client', 'revoke', 'leak-ci', '--token', revokedId])
  writeFileSync(file('revoked.token'), `${T.cliRevoked}\n`, { mode: 0o600 })
  await cli(['render', '--reason', 'revoked'], 'x', { env: { ...clientEnv, CLAUDE_HOOKS_SECRETS_TOKEN_FILE: file('revoked.token') }, code: 1 })
  await cli(['render', '--reason', 'inline token'], 'x=${SECRET:CLI_SET}', { env: { CLAUDE_HOOKS_SECRETS_URL: server.base, CLAUDE_HOOKS_SECRETS_TOKEN: T.cli }, renderOutput: true })
  await cli(['client', 'revoke', 'leak-ci'])

  expect((await http('logout', 'DELETE', '/session')).status).toBe(204)
  await http('the old cookie after logout', 'GET', '/secrets')
  // Metrics after every flow: their labels are route patterns, statuses and audit actions only.
  expect((await http('metrics', 'GET', '/metrics')).status).toBe(200)

  // A render while the server runs, and the audit check.
  await cli(['render', '--accessor', 'leak-scan', '--reason', 'after http', file('in.txt'), file('out2.txt')])
  await cli(['audit', 'verify'])
  await cli(['audit', 'head'])

  // The database files while the server still holds them open (the WAL is
  // checkpointed away at close), then again after a clean stop.
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(dbPath + suffix)) look(`${dbPath}${suffix} (server running)`, readFileSync(dbPath + suffix))
  server.proc.kill('SIGTERM')
  expect(await server.proc.exited).toBe(0)
  look('server stdout', await server.stdout)
  look("server stderr", await server.stderr)
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(dbPath + suffix)) look(`${dbPath}${suffix} (after stop)`, readFileSync(dbPath + suffix))

  // Every other file the flows left in the directory (a stray temporary file would hold values),
  // but the rendered outputs, the template that holds a pasted secret and the client token files, on purpose.
  const meant = new Set(['out.txt', 'out2.txt', 'out-client.txt', 'leak-ci.token', 'revoked.token', 'malformed.txt', 'secrets.db', 'secrets.db-wal', 'secrets.db-shm'])
  for (const f of readdirSync(tmp.dir, { recursive: true, withFileTypes: true })) {
    if (f.isFile() && !meant.has(f.name)) look(`left in the directory: ${f.name}`, readFileSync(join(f.parentPath, f.name)))
  }

  const ctx = await openSecrets(env)
  try {
    const rows = await ctx.store.db.selectFrom('secret_access_log').selectAll().orderBy('id').execute()
    expect(rows.length).toBeGreaterThan(10)
    for (const row of rows) look(`audit row ${row.id}`, JSON.stringify(row))
  } finally {
    await ctx.close()
  }
}, 120_000)

afterAll(() => {
  if (server && server.proc.exitCode === null) server.proc.kill('SIGKILL')
  tmp.cleanup()
})

describe('leak scan', () => {
  test('the search finds a sentinel in every form it looks for (positive control)', () => {
    const value = S.cliSet
    const raw = Buffer.from(value, 'utf8')
    const planted = [
      `log: ${value}`,
      `{"v":${JSON.stringify(value)}}`,
      `x${raw.toString('hex')}y`,
      raw.toString('hex').toUpperCase(),
      ...[0, 1, 2].map((k) => Buffer.concat([Buffer.from('abc'.slice(0, k)), raw, Buffer.from('zz')]).toString('base64')),
      ...[0, 1, 2].map((k) => Buffer.concat([Buffer.from('abc'.slice(0, k)), raw]).toString('base64url')),
    ]
    for (const text of planted) {
      const found = forms(value).some(({ bytes }) => Buffer.from(text).indexOf(bytes) !== -1)
      expect({ text, found }).toEqual({ text, found: true })
    }
  })

  test('every flow ran: CLI commands, HTTP routes and errors', () => {
    for (const command of ['set', 'list', 'rotate', 'render', 'render --check', 'audit verify', 'keys', 'operator add', 'client add', 'client token', 'client revoke', 'client list']) {
      expect(cliRuns.some((r) => r.startsWith(`secrets ${command}`))).toBe(true)
    }
    expect(answers.filter((a) => a.status >= 400).length).toBeGreaterThanOrEqual(15)
    expect(answers.some((a) => a.status >= 500)).toBe(false)
    const where = haystacks.map((h) => h.where)
    expect(where).toContain('server stderr')
    expect(where.some((w) => w.endsWith('secrets.db (server running)'))).toBe(true)
    expect(where.some((w) => w.endsWith('secrets.db-wal (server running)'))).toBe(true)
    expect(where.some((w) => w.startsWith('audit row'))).toBe(true)
    // The request log ran: the server's stdout (not a terminal) has one JSON object per request.
    expect(where).toContain('server stdout')
    const serverLog = Buffer.from(haystacks.find((h) => h.where === 'server stdout')!.bytes).toString()
    const lines = serverLog.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.some((l) => l.msg === 'request' && l.method === 'POST' && l.route === '/secrets' && l.status === 201 && l.operator)).toBe(true)
    expect(lines.some((l) => l.msg === 'request' && l.route === '/render' && l.client)).toBe(true)
  })

  test('no sentinel, in any form, in any output, response, database file or audit row', () => {
    expect(haystacks.length).toBeGreaterThan(60)
    const bytes = haystacks.reduce((n, h) => n + h.bytes.length, 0)
    // The figures docs/security.md quotes ("Figures"), printed so they can be checked.
    console.log(`leak scan: ${haystacks.length} places, ${cliRuns.length} CLI runs, ${answers.length} HTTP answers, ${(bytes / 1e6).toFixed(1)} MB`)
    expect(hits(S)).toEqual([])
  })

  test('no client token, in any form, anywhere but the one answer that showed it', () => {
    expect(Object.keys(T).sort()).toEqual(['cli', 'cliRevoked', 'http'])
    for (const token of Object.values(T)) expect(token).toMatch(/^chs_[A-Za-z0-9_-]{43}$/)
    expect(hits(T)).toEqual([])
  })

  test('the token search finds a token and its secret part (positive control)', () => {
    const token = T.cli!
    const secret = Buffer.from(token.slice(4), 'base64url').subarray(8)
    for (const text of [`Authorization: Bearer ${token}`, `{"t":"${token.slice(4)}"}`, secret.toString('hex'), secret.toString('base64url')]) {
      expect({ text, found: forms(token).some(({ bytes }) => Buffer.from(text).indexOf(bytes) !== -1) }).toEqual({ text, found: true })
    }
  })
})
