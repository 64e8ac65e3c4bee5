import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { MAX_BODY_BYTES } from '../../src/http/middleware/limit-body.ts'
import { describeEachDialect } from '../helpers/databases.ts'
import { bodyOf, errorOf, type Harness, harness, jsonInit, type Login, ALICE } from './harness.ts'

describeEachDialect('errors', (dialect) => {
  let h: Harness
  let alice: Login

  beforeEach(async () => {
    h = await harness({}, dialect)
    alice = await h.login(ALICE)
  })
  afterEach(() => h.close())

  const SENTINEL = 'SENTINEL-7f3a'

  describe('validation errors name the field and the rule, never the value', () => {
    const cases: Array<[string, string, string, unknown, string, RegExp]> = [
      ['a lowercase name', 'POST', '/secrets', { name: `lower_${SENTINEL}`, value: SENTINEL }, 'name', /^name must match/],
      ['a name with a NUL', 'POST', '/secrets', { name: `A\u0000${SENTINEL}`, value: SENTINEL }, 'name', /^name must match/],
      ['a 129-character name', 'POST', '/secrets', { name: 'A'.repeat(129), value: SENTINEL }, 'name', /^name must match/],
      ['an empty value', 'POST', '/secrets', { name: 'OK', value: '' }, 'value', /^value must not be empty$/],
      ['a value over 65,536 bytes', 'POST', '/secrets', { name: 'OK', value: SENTINEL.repeat(6554) }, 'value', /^value must be at most 65536 bytes of UTF-8$/],
      ['a numeric value', 'POST', '/secrets', { name: 'OK', value: 1234567 }, 'value', /^value must be a string$/],
      ['a value as an object', 'POST', '/secrets', { name: 'OK', value: { v: SENTINEL } }, 'value', /^value must be a string$/],
      ['a missing value', 'POST', '/secrets', { name: 'OK' }, 'value', /^value is required$/],
      ['a missing name', 'POST', '/secrets', { value: SENTINEL }, 'name', /^name is required$/],
      ['a 501-character description', 'POST', '/secrets', { name: 'OK', value: 'x', description: `${SENTINEL}${'d'.repeat(490)}` }, 'description', /^description must be at most 500 characters$/],
      ['a description with a newline', 'POST', '/secrets', { name: 'OK', value: 'x', description: `a\n${SENTINEL}` }, 'description', /^description must not contain control characters or bidirectional formatting characters$/],
      ['a null description', 'POST', '/secrets', { name: 'OK', value: 'x', description: null }, 'description', /^description must be a string$/],
      ['an unknown field', 'POST', '/secrets', { name: 'OK', value: 'x', values: SENTINEL }, 'values', /^values is not an allowed field$/],
      ['a replace with an empty value', 'PUT', '/secrets/OK', { value: '' }, 'value', /^value must not be empty$/],
      ['a replace with an unknown field', 'PUT', '/secrets/OK', { value: 'x', rotate: SENTINEL }, 'rotate', /^rotate is not an allowed field$/],
      ['a malformed name in the path', 'PUT', `/secrets/${SENTINEL}`, { value: 'x' }, 'name', /^name must match/],
    ]
    for (const [label, method, path, body, field, message] of cases) {
      test(`${label}: 400 field ${field}, nothing written`, async () => {
        const before = await h.snapshot()
        const res = await h.as(alice, method, path, body)
        expect(res.status).toBe(400)
        const error = await errorOf(res)
        expect(error.code).toBe('validation_error')
        expect(error.field).toBe(field)
        expect(error.message).toMatch(message)
        expect(await h.snapshot()).toEqual(before)
        for (const b of h.bodies) expect(b).not.toContain(SENTINEL)
      })
    }

    test('an unknown key that is itself a value is refused without being named', async () => {
      const res = await h.as(alice, 'POST', '/secrets', { name: 'OK', value: 'x', [`ghp_${SENTINEL}/+=`]: 1 })
      expect(res.status).toBe(400)
      const error = await errorOf(res)
      expect(error).toEqual({ code: 'validation_error', message: 'body has a field that is not allowed' })
      for (const b of h.bodies) expect(b).not.toContain(SENTINEL)
    })

    test('a __proto__ key is an unknown field, not a prototype change', async () => {
      const res = await h.as(alice, 'POST', '/secrets', `{"name":"OK","value":"x","__proto__":{"admin":true}}`)
      expect(res.status).toBe(400)
      expect(await bodyOf(res)).toEqual({ error: { code: 'validation_error', message: '__proto__ is not an allowed field', field: '__proto__' } })
    })
  })

  describe('malformed bodies', () => {
    const bodies: Array<[string, string, string]> = [
      ['truncated JSON', `{"name":"OK","value":"${SENTINEL}`, 'invalid_json'],
      ['not JSON at all', `name=OK&value=${SENTINEL}`, 'invalid_json'],
      ['an empty body', '', 'invalid_json'],
      ['a JSON array', `["${SENTINEL}"]`, 'invalid_json'],
      ['a JSON string', `"${SENTINEL}"`, 'invalid_json'],
      ['JSON null', 'null', 'invalid_json'],
    ]
    for (const [label, body, code] of bodies) {
      test(`${label}: 400 ${code}, the body not echoed`, async () => {
        const res = await h.as(alice, 'POST', '/secrets', body)
        expect(res.status).toBe(400)
        const error = await errorOf(res)
        expect(error.code).toBe(code)
        expect(error.field).toBeUndefined()
        for (const b of h.bodies) expect(b).not.toContain(SENTINEL)
      })
    }

    test('malformed JSON at login: 400 invalid_json', async () => {
      const res = await h.request('/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"username":"alice","password":"${SENTINEL}` })
      expect(res.status).toBe(400)
      expect(await bodyOf(res)).toEqual({ error: { code: 'invalid_json', message: 'the request body is not valid JSON' } })
      for (const b of h.bodies) expect(b).not.toContain(SENTINEL)
    })

    test('application/json with a charset parameter is JSON', async () => {
      const res = await h.as(alice, 'POST', '/secrets', { name: 'CHARSET', value: 'x' }, { 'Content-Type': 'application/json; charset=utf-8' })
      expect(res.status).toBe(201)
    })
  })

  describe('body size', () => {
    test('a body over 128 KiB (Content-Length) is 413 payload_too_large, nothing written', async () => {
      const before = await h.snapshot()
      const body = JSON.stringify({ name: 'BIG', value: SENTINEL, description: 'x'.repeat(MAX_BODY_BYTES) })
      const res = await h.as(alice, 'POST', '/secrets', body)
      expect(res.status).toBe(413)
      expect(await errorOf(res)).toEqual({ code: 'payload_too_large', message: `the request body is larger than ${MAX_BODY_BYTES} bytes` })
      expect(await h.snapshot()).toEqual(before)
    })

    test('a streamed body without Content-Length is cut off at 128 KiB too', async () => {
      const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
      let sent = 0
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 20) controller.enqueue(chunk)
          else controller.close()
        },
      })
      const res = await h.request('/secrets', {
        method: 'POST',
        headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
        body: stream,
        // @ts-expect-error: Bun and Node need this for a stream body
        duplex: 'half',
      })
      expect(res.status).toBe(413)
    })

    test('a login body over 128 KiB is 413 before any hashing', async () => {
      const res = await h.request('/session', jsonInit('POST', { username: 'alice', password: 'p'.repeat(MAX_BODY_BYTES) }))
      expect(res.status).toBe(413)
    })

    test('just under the limit is read and validated normally', async () => {
      const res = await h.as(alice, 'POST', '/secrets', { name: 'NEAR', value: 'v'.repeat(65_536) })
      expect(res.status).toBe(201)
    })
  })

  describe('unknown routes', () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/secrets/ONE/unknown'],
      ['POST', '/nope'],
      ['GET', '/session/extra'],
      ['OPTIONS', '/secrets'],
    ] as const) {
      test(`${method} ${path}: 404 not_found as JSON (behind a session where /secrets is concerned)`, async () => {
        const res = await h.as(alice, method, path)
        expect(res.status).toBe(404)
        expect(res.headers.get('Content-Type')).toStartWith('application/json')
        expect(await bodyOf(res)).toEqual({ error: { code: 'not_found', message: 'no such route' } })
      })
    }

    test('without a session, anything under /secrets is 401 before routing', async () => {
      expect((await h.request('/secrets/ONE/unknown')).status).toBe(401)
    })
  })

  describe('server faults', () => {
    test('an unexpected error is a generic 500, logged with its stack but never with the body', async () => {
      // A real fault: the database goes away under the app.
      await h.ctx.store.close()
      const res = await h.request('/secrets', {
        method: 'POST',
        headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'AFTER_CLOSE', value: SENTINEL }),
      })
      expect(res.status).toBe(500)
      expect(await errorOf(res)).toEqual({ code: 'internal_error', message: 'internal error; the server log has the details' })
      expect(h.errors).toHaveLength(1)
      expect(h.errors[0]!.where).toBe('POST /secrets')
      const logged = `${h.errors[0]!.where} ${String(h.errors[0]!.error)} ${(h.errors[0]!.error as Error).stack}`
      expect(logged).not.toContain(SENTINEL)
    })
  })
})
