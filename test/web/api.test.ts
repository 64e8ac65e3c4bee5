import { describe, expect, test } from 'bun:test'
import { ApiError, createApiClient } from '../../web/src/api.ts'
import { parseRetryAfter } from '../../web/src/api-error.ts'
import { createFetchStub, errorReply } from './fetch-stub.ts'
import { secretFixture } from './fixtures.ts'

function setup() {
  const stub = createFetchStub()
  let unauthenticated = 0
  const api = createApiClient({ fetch: stub.fetch, onUnauthenticated: () => unauthenticated++ })
  return { stub, api, unauthenticated: () => unauthenticated }
}

describe('api client requests', () => {
  test('GET sends no body, no CSRF header, same-origin credentials, Accept JSON', async () => {
    const { stub, api } = setup()
    stub.on('GET', '/secrets', { json: { secrets: [], current_key_id: 'k' } })
    api.setCsrfToken('tok')
    expect(await api.listSecrets()).toEqual({ secrets: [], current_key_id: 'k' })
    const [req] = stub.requests
    expect(req).toEqual({
      method: 'GET',
      path: '/secrets',
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
      rawBody: undefined,
      body: undefined,
    })
  })

  test('every POST, PUT and DELETE carries X-CSRF-Token and a JSON body only when there is one', async () => {
    const { stub, api } = setup()
    const secret = secretFixture({ name: 'FOO' })
    stub.on('POST', '/secrets', { status: 201, json: secret })
    stub.on('PUT', '/secrets/FOO', { json: secret })
    stub.on('POST', '/secrets/FOO/rotate', { json: secret })
    stub.on('DELETE', '/secrets/FOO', { status: 204 })
    stub.on('DELETE', '/session', { status: 204 })
    api.setCsrfToken('csrf-123')
    await api.createSecret({ name: 'FOO', value: 'v' })
    await api.replaceSecret('FOO', { value: 'w' })
    await api.rotateSecret('FOO')
    await api.deleteSecret('FOO')
    await api.logout()
    expect(stub.requests.map((r) => [r.method, r.path, r.headers['x-csrf-token'], r.headers['content-type'], r.rawBody])).toEqual([
      ['POST', '/secrets', 'csrf-123', 'application/json', '{"name":"FOO","value":"v"}'],
      ['PUT', '/secrets/FOO', 'csrf-123', 'application/json', '{"value":"w"}'],
      ['POST', '/secrets/FOO/rotate', 'csrf-123', undefined, undefined],
      ['DELETE', '/secrets/FOO', 'csrf-123', undefined, undefined],
      ['DELETE', '/session', 'csrf-123', undefined, undefined],
    ])
    for (const r of stub.requests) expect(r.credentials).toBe('same-origin')
  })

  test('login posts the credentials; without a token yet there is no CSRF header', async () => {
    const { stub, api } = setup()
    stub.on('POST', '/session', { json: { username: 'alice', csrf_token: 't' } })
    expect(await api.login('alice', 'pw')).toEqual({ username: 'alice', csrf_token: 't' })
    expect(stub.requests[0]!.body).toEqual({ username: 'alice', password: 'pw' })
    expect(stub.requests[0]!.headers['x-csrf-token']).toBeUndefined()
  })

  test('setCsrfToken(null) stops sending the header', async () => {
    const { stub, api } = setup()
    stub.on('DELETE', '/secrets/A', { status: 204 })
    api.setCsrfToken('t')
    api.setCsrfToken(null)
    await api.deleteSecret('A')
    expect(stub.requests[0]!.headers['x-csrf-token']).toBeUndefined()
  })

  test('access log: no query by default, then limit and cursor, URL-encoded', async () => {
    const { stub, api } = setup()
    stub.on('GET', /^\/secrets\/FOO\/access-log/, { json: { entries: [], next_cursor: null } })
    await api.accessLog('FOO')
    await api.accessLog('FOO', { limit: 20, cursor: 'a b/+=' })
    expect(stub.requests.map((r) => r.path)).toEqual([
      '/secrets/FOO/access-log',
      '/secrets/FOO/access-log?limit=20&cursor=a+b%2F%2B%3D',
    ])
  })

  test('baseUrl prefixes every path', async () => {
    const stub = createFetchStub().on('GET', '/api/session', { json: { username: 'a', csrf_token: 'b' } })
    await createApiClient({ fetch: stub.fetch, baseUrl: '/api' }).getSession()
    expect(stub.requests[0]!.path).toBe('/api/session')
  })
})

describe('api client errors', () => {
  test('an error body becomes an ApiError with status, code, message and field', async () => {
    const { stub, api } = setup()
    stub.on('POST', '/secrets', errorReply(400, 'validation_error', 'name must match ^[A-Z][A-Z0-9_]{0,127}$', { field: 'name' }))
    const error = await api.createSecret({ name: 'x', value: 'v' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({
      status: 400,
      code: 'validation_error',
      message: 'name must match ^[A-Z][A-Z0-9_]{0,127}$',
      field: 'name',
      retryAfter: undefined,
    })
  })

  test('429 carries Retry-After as seconds', async () => {
    const { stub, api } = setup()
    stub.on('POST', '/session', errorReply(429, 'rate_limited', 'too many failed logins', { headers: { 'Retry-After': '42' } }))
    const error = (await api.login('a', 'b').catch((e: unknown) => e)) as ApiError
    expect([error.status, error.code, error.retryAfter, error.field]).toEqual([429, 'rate_limited', 42, undefined])
  })

  test('a 401 from a secrets route tells the session; a 401 from /session does not', async () => {
    const { stub, api, unauthenticated } = setup()
    stub.on('GET', '/secrets', errorReply(401, 'unauthenticated', 'no session'))
    stub.on('GET', '/session', errorReply(401, 'unauthenticated', 'no session'))
    stub.on('POST', '/session', errorReply(401, 'unauthenticated', 'wrong username or password'))
    await api.getSession().catch(() => undefined)
    await api.login('a', 'b').catch(() => undefined)
    expect(unauthenticated()).toBe(0)
    await api.listSecrets().catch(() => undefined)
    expect(unauthenticated()).toBe(1)
  })

  test('a body that is not the documented JSON still gives a typed error', async () => {
    const bare = createApiClient({ fetch: async () => new Response('<h1>Bad Gateway</h1>', { status: 502, statusText: 'Bad Gateway' }) })
    const error = (await bare.listSecrets().catch((e: unknown) => e)) as ApiError
    expect(error).toBeInstanceOf(ApiError)
    expect([error.status, error.code, error.message]).toEqual([502, 'bad_response', 'The server answered 502 Bad Gateway.'])
  })

  test('a fetch that throws becomes network_error with status 0', async () => {
    const api = createApiClient({
      fetch: async () => {
        throw new TypeError('Failed to fetch')
      },
    })
    const error = (await api.getSession().catch((e: unknown) => e)) as ApiError
    expect([error.status, error.code]).toEqual([0, 'network_error'])
  })

  test('a 200 with an unreadable body is bad_response', async () => {
    const api = createApiClient({ fetch: async () => new Response('not json', { status: 200 }) })
    const error = (await api.listSecrets().catch((e: unknown) => e)) as ApiError
    expect([error.status, error.code]).toEqual([200, 'bad_response'])
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T13:45:00Z')
  test.each([
    [null, undefined],
    ['', undefined],
    ['30', 30],
    [' 7 ', 7],
    ['0', 1],
    ['Sat, 28 Nov 2026 13:45:10 GMT', 10],
    ['Sat, 28 Nov 2026 13:44:00 GMT', 1],
    ['soon', undefined],
  ] as const)('%p → %p', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected)
  })
})
