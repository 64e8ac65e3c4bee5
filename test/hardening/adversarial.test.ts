/**
 * Longer than the usual 300 lines: the table of cases is the test.
 *
 * Adversarial input over every route (issue 8): wrong types, missing and
 * extra fields, oversized and deeply nested bodies, NUL, zero-width and
 * right-to-left characters, encoded path tricks, wrong media types, forged
 * or missing CSRF tokens, a cookie from a session that was logged out, huge
 * limits and cursors. Every case must get its documented 4xx with
 * `{"error":{"code","message"}}`, never a 5xx, never an echo of the input,
 * and leave every row of every table exactly as it was.
 *
 * Table-driven, through `app.request` with a fresh in-memory database per
 * case (test/http/harness.ts). The cases app.request cannot express (raw
 * request lines, duplicate and oversized headers, conflicting lengths) are
 * in adversarial-socket.test.ts, over a real socket.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ensureWebBuild } from '../../scripts/build-web.ts'
import { MAX_BODY_BYTES } from '../../src/http/middleware/limit-body.ts'
import { encodeAccessLogCursor } from '../../src/http/access-log-cursor.ts'
import { ALICE, BOB, type Harness, harness, type Login } from '../http/harness.ts'
import { everyTable, type Snapshot } from './snapshot.ts'

/** Text a case puts in its input; no answer may contain it. */
const MARK = 'ADVERSARIAL-c0ffee'

/** Who sends the request. */
type Auth =
  | 'alice' // cookie and CSRF token of a live session
  | 'none' // no cookie, no token
  | 'stale' // the cookie and token of a session that was logged out
  | 'cookie-only' // alice's cookie, no X-CSRF-Token
  | 'bob-token' // alice's cookie with bob's CSRF token
  | 'garbage-cookie' // a well-formed but unknown session cookie

interface Case {
  label: string
  method: string
  path: string
  auth: Auth
  /** A string is sent as is; anything else as JSON. */
  body?: unknown
  /** Headers on top of the auth's (a null value removes one). */
  headers?: Record<string, string | null>
  status: number
  code: string
  field?: string
  /**
   * The path the app sees when the URL parser rewrites `path` (dot segments):
   * said here so that no other case is silently rewritten before the app.
   */
  parsedPath?: string
  /**
   * The audit rows the refusal writes (a refused login is a security event,
   * docs/audit.md): action, accessor, outcome. Every other table, and the
   * audit table otherwise, stays as it was.
   */
  audited?: Array<{ action: string; accessor: string; outcome: string }>
}

const REFUSED_LOGIN = (accessor: string) => [{ action: 'login', accessor, outcome: 'denied' }]

const json = (value: unknown) => JSON.stringify(value)
const nested = (depth: number, open = '[', close = ']', inner = '0') => open.repeat(depth) + inner + close.repeat(depth)
// Deep, yet under the 128 KiB limit, so the parser meets them.
const DEEP_OBJECT = `{"name":"DEEP","value":"x","description":${nested(60_000)}}`
const DEEP_TOP = nested(20_000, '{"a":', '}')
const BIG = 'x'.repeat(MAX_BODY_BYTES + 1)

/** The existing secret every case starts with. */
const EXISTING = 'EXISTING'

const CASES: Case[] = [
  // --- POST /secrets: types, fields, sizes ---
  { label: 'name as a number', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 42, value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'name as null', method: 'POST', path: '/secrets', auth: 'alice', body: { name: null, value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'name as an array', method: 'POST', path: '/secrets', auth: 'alice', body: { name: ['NEW'], value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'value as a number', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: 12345 }, status: 400, code: 'validation_error', field: 'value' },
  { label: 'value as a boolean', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: true }, status: 400, code: 'validation_error', field: 'value' },
  { label: 'value as an array of strings', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: [MARK] }, status: 400, code: 'validation_error', field: 'value' },
  { label: 'value as a huge number literal', method: 'POST', path: '/secrets', auth: 'alice', body: '{"name":"NEW","value":1e400}', status: 400, code: 'validation_error', field: 'value' },
  { label: 'description as an object', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: MARK, description: { a: MARK } }, status: 400, code: 'validation_error', field: 'description' },
  { label: 'missing name', method: 'POST', path: '/secrets', auth: 'alice', body: { value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'missing value', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW' }, status: 400, code: 'validation_error', field: 'value' },
  { label: 'an empty object', method: 'POST', path: '/secrets', auth: 'alice', body: {}, status: 400, code: 'validation_error' },
  { label: 'an extra field', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: MARK, owner: 'root' }, status: 400, code: 'validation_error', field: 'owner' },
  { label: 'an extra field "constructor"', method: 'POST', path: '/secrets', auth: 'alice', body: '{"name":"NEW","value":"x","constructor":{"prototype":{"admin":true}}}', status: 400, code: 'validation_error', field: 'constructor' },
  { label: 'an extra key that is a value', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: 'x', [`sk_live_${MARK}/+=`]: 1 }, status: 400, code: 'validation_error' },
  { label: 'an existing name (409)', method: 'POST', path: '/secrets', auth: 'alice', body: { name: EXISTING, value: MARK }, status: 409, code: 'already_exists' },
  { label: 'name with a NUL', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW\u0000X', value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'name with a zero-width space', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NE\u200BW', value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'name with a zero-width joiner at the end', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW\u200D', value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'name with a right-to-left override', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW\u202EKOT', value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'name with a byte order mark in front', method: 'POST', path: '/secrets', auth: 'alice', body: { name: '\uFEFFNEW', value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'name of fullwidth letters', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'ＮＥＷ', value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'name with a trailing newline', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW\n', value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'name that differs from an existing one by a Cyrillic letter', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'EXISTІNG', value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'a 129-character name', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'N'.repeat(129), value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'value with a lone surrogate', method: 'POST', path: '/secrets', auth: 'alice', body: '{"name":"NEW","value":"a\\ud800b"}', status: 400, code: 'validation_error', field: 'value' },
  { label: 'description with a lone surrogate', method: 'POST', path: '/secrets', auth: 'alice', body: '{"name":"NEW","value":"x","description":"\\udfff"}', status: 400, code: 'validation_error', field: 'description' },
  { label: 'description with a NUL', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: 'x', description: `a\u0000${MARK}` }, status: 400, code: 'validation_error', field: 'description' },
  { label: 'description with an escape sequence', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: 'x', description: `\u001b[2J${MARK}` }, status: 400, code: 'validation_error', field: 'description' },
  { label: 'value of 65,537 bytes', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: 'é'.repeat(32_768) + 'x' }, status: 400, code: 'validation_error', field: 'value' },
  { label: 'a body over 128 KiB', method: 'POST', path: '/secrets', auth: 'alice', body: json({ name: 'NEW', value: BIG }), status: 413, code: 'payload_too_large' },
  { label: 'a body over 128 KiB without a session', method: 'POST', path: '/secrets', auth: 'none', body: json({ name: 'NEW', value: BIG }), status: 413, code: 'payload_too_large' },
  { label: 'deeply nested JSON in a field (60,000 arrays)', method: 'POST', path: '/secrets', auth: 'alice', body: DEEP_OBJECT, status: 400, code: 'validation_error', field: 'description' },
  { label: 'deeply nested JSON objects (20,000 levels)', method: 'POST', path: '/secrets', auth: 'alice', body: DEEP_TOP, status: 400, code: 'validation_error' },
  { label: 'deeply nested JSON over 128 KiB (100,000 levels)', method: 'POST', path: '/secrets', auth: 'alice', body: nested(100_000), status: 413, code: 'payload_too_large' },
  { label: 'moderately nested JSON (500 levels) in a field', method: 'POST', path: '/secrets', auth: 'alice', body: `{"name":"NEW","value":${nested(500)}}`, status: 400, code: 'validation_error', field: 'value' },
  { label: 'truncated JSON', method: 'POST', path: '/secrets', auth: 'alice', body: `{"name":"NEW","value":"${MARK}`, status: 400, code: 'invalid_json' },
  { label: 'a raw NUL byte inside a JSON string', method: 'POST', path: '/secrets', auth: 'alice', body: `{"name":"NEW","value":"a\u0000${MARK}"}`, status: 400, code: 'invalid_json' },
  { label: 'a UTF-16 body labelled JSON', method: 'POST', path: '/secrets', auth: 'alice', body: new Uint8Array(Buffer.from(json({ name: 'NEW', value: MARK }), 'utf16le')), headers: { 'Content-Type': 'application/json' }, status: 400, code: 'invalid_json' },
  { label: 'JSON with a trailing comma', method: 'POST', path: '/secrets', auth: 'alice', body: `{"name":"NEW","value":"${MARK}",}`, status: 400, code: 'invalid_json' },
  { label: 'two JSON documents', method: 'POST', path: '/secrets', auth: 'alice', body: `{"name":"NEW","value":"x"}{"name":"NEW2","value":"y"}`, status: 400, code: 'invalid_json' },
  { label: 'a JSON array of objects', method: 'POST', path: '/secrets', auth: 'alice', body: [{ name: 'NEW', value: MARK }], status: 400, code: 'invalid_json' },
  { label: 'invalid UTF-8 in the body', method: 'POST', path: '/secrets', auth: 'alice', body: new Uint8Array([0x7b, 0x22, 0x6e, 0xff, 0xfe, 0x22, 0x7d]), headers: { 'Content-Type': 'application/json' }, status: 400, code: 'invalid_json' },
  // Bytes that are not UTF-8 would be decoded to U+FFFD and stored as a different value.
  { label: 'a value of Latin-1 bytes (invalid UTF-8)', method: 'POST', path: '/secrets', auth: 'alice', body: new Uint8Array([...new TextEncoder().encode('{"name":"NEW","value":"p'), 0xe4, ...new TextEncoder().encode('ss"}')]), headers: { 'Content-Type': 'application/json' }, status: 400, code: 'invalid_json' },
  { label: 'a replacement value with an overlong UTF-8 encoding', method: 'PUT', path: `/secrets/${EXISTING}`, auth: 'alice', body: new Uint8Array([...new TextEncoder().encode('{"value":"a'), 0xc0, 0xaf, ...new TextEncoder().encode('"}')]), headers: { 'Content-Type': 'application/json' }, status: 400, code: 'invalid_json' },

  // --- media types and the CSRF guard ---
  { label: 'text/plain JSON with the token', method: 'POST', path: '/secrets', auth: 'alice', body: json({ name: 'NEW', value: MARK }), headers: { 'Content-Type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
  { label: 'text/plain without the token (a cross-site "simple" request)', method: 'POST', path: '/secrets', auth: 'cookie-only', body: json({ name: 'NEW', value: MARK }), headers: { 'Content-Type': 'text/plain' }, status: 403, code: 'csrf_failed' },
  { label: 'a form post without the token', method: 'POST', path: '/secrets', auth: 'cookie-only', body: `name=NEW&value=${MARK}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, status: 403, code: 'csrf_failed' },
  // With the session's token, so that only the Origin check refuses it (without it: 415).
  { label: 'a form post with a cross-site Origin', method: 'POST', path: '/secrets', auth: 'alice', body: `name=NEW&value=${MARK}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' }, status: 403, code: 'csrf_failed' },
  { label: 'a form post with the token', method: 'POST', path: '/secrets', auth: 'alice', body: `name=NEW&value=${MARK}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
  { label: 'a multipart post with the token', method: 'POST', path: '/secrets', auth: 'alice', body: `--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nNEW\r\n--b--\r\n`, headers: { 'Content-Type': 'multipart/form-data; boundary=b' }, status: 415, code: 'unsupported_media_type' },
  { label: 'no Content-Type', method: 'POST', path: '/secrets', auth: 'alice', body: new TextEncoder().encode(json({ name: 'NEW', value: MARK })), status: 415, code: 'unsupported_media_type' },
  { label: 'Content-Type application/json-patch+json', method: 'POST', path: '/secrets', auth: 'alice', body: json({ name: 'NEW', value: MARK }), headers: { 'Content-Type': 'application/json-patch+json' }, status: 415, code: 'unsupported_media_type' },
  { label: 'Content-Type application/jsonx', method: 'POST', path: '/secrets', auth: 'alice', body: json({ name: 'NEW', value: MARK }), headers: { 'Content-Type': 'application/jsonx' }, status: 415, code: 'unsupported_media_type' },
  { label: 'Content-Type text/json', method: 'POST', path: '/secrets', auth: 'alice', body: json({ name: 'NEW', value: MARK }), headers: { 'Content-Type': 'text/json' }, status: 415, code: 'unsupported_media_type' },
  { label: 'no X-CSRF-Token', method: 'POST', path: '/secrets', auth: 'cookie-only', body: { name: 'NEW', value: MARK }, status: 403, code: 'csrf_failed' },
  { label: 'an empty X-CSRF-Token', method: 'POST', path: '/secrets', auth: 'cookie-only', body: { name: 'NEW', value: MARK }, headers: { 'X-CSRF-Token': '' }, status: 403, code: 'csrf_failed' },
  { label: 'another session\'s X-CSRF-Token', method: 'POST', path: '/secrets', auth: 'bob-token', body: { name: 'NEW', value: MARK }, status: 403, code: 'csrf_failed' },
  { label: 'an X-CSRF-Token with a character appended', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: MARK }, headers: { 'X-CSRF-Token': 'TOKENx' }, status: 403, code: 'csrf_failed' },
  { label: 'an X-CSRF-Token one character short', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: MARK }, headers: { 'X-CSRF-Token': 'TOKEN-1' }, status: 403, code: 'csrf_failed' },
  { label: 'an oversized X-CSRF-Token (64 KiB)', method: 'POST', path: '/secrets', auth: 'cookie-only', body: { name: 'NEW', value: MARK }, headers: { 'X-CSRF-Token': 'A'.repeat(65_536) }, status: 403, code: 'csrf_failed' },
  { label: 'a cross-site Origin with the token', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: MARK }, headers: { Origin: 'https://evil.example' }, status: 403, code: 'csrf_failed' },
  { label: 'Origin: null', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: MARK }, headers: { Origin: 'null' }, status: 403, code: 'csrf_failed' },
  { label: 'an Origin that only starts like ours', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: MARK }, headers: { Origin: 'http://localhost.evil.example' }, status: 403, code: 'csrf_failed' },
  { label: 'an Origin on another port', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: MARK }, headers: { Origin: 'http://localhost:8788' }, status: 403, code: 'csrf_failed' },
  { label: 'Sec-Fetch-Site: cross-site', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: MARK }, headers: { 'Sec-Fetch-Site': 'cross-site' }, status: 403, code: 'csrf_failed' },
  { label: 'Sec-Fetch-Site: same-site', method: 'POST', path: '/secrets', auth: 'alice', body: { name: 'NEW', value: MARK }, headers: { 'Sec-Fetch-Site': 'same-site' }, status: 403, code: 'csrf_failed' },

  // --- sessions ---
  { label: 'no session: create', method: 'POST', path: '/secrets', auth: 'none', body: { name: 'NEW', value: MARK }, status: 401, code: 'unauthenticated' },
  { label: 'a logged-out session\'s cookie and token: create', method: 'POST', path: '/secrets', auth: 'stale', body: { name: 'NEW', value: MARK }, status: 401, code: 'unauthenticated' },
  { label: 'a logged-out session\'s cookie: list', method: 'GET', path: '/secrets', auth: 'stale', status: 401, code: 'unauthenticated' },
  { label: 'a logged-out session\'s cookie: get', method: 'GET', path: `/secrets/${EXISTING}`, auth: 'stale', status: 401, code: 'unauthenticated' },
  { label: 'a logged-out session\'s cookie: access log', method: 'GET', path: `/secrets/${EXISTING}/access-log`, auth: 'stale', status: 401, code: 'unauthenticated' },
  { label: 'a logged-out session\'s cookie: delete', method: 'DELETE', path: `/secrets/${EXISTING}`, auth: 'stale', status: 401, code: 'unauthenticated' },
  { label: 'a logged-out session\'s cookie: rotate', method: 'POST', path: `/secrets/${EXISTING}/rotate`, auth: 'stale', status: 401, code: 'unauthenticated' },
  { label: 'a logged-out session\'s cookie: who am I', method: 'GET', path: '/session', auth: 'stale', status: 401, code: 'unauthenticated' },
  { label: 'a logged-out session\'s cookie: log out again', method: 'DELETE', path: '/session', auth: 'stale', status: 401, code: 'unauthenticated' },
  { label: 'an unknown session cookie', method: 'GET', path: '/secrets', auth: 'garbage-cookie', status: 401, code: 'unauthenticated' },
  { label: 'a 64 KiB session cookie', method: 'GET', path: '/secrets', auth: 'none', headers: { Cookie: `secrets_session=${'A'.repeat(65_536)}` }, status: 401, code: 'unauthenticated' },
  { label: 'a session cookie with a NUL', method: 'GET', path: '/secrets', auth: 'none', headers: { Cookie: 'secrets_session=abc%00def' }, status: 401, code: 'unauthenticated' },
  { label: 'a session cookie under another name', method: 'GET', path: '/secrets', auth: 'none', headers: { Cookie: 'SECRETS_SESSION=x; secrets_session_=y' }, status: 401, code: 'unauthenticated' },
  { label: 'an Authorization header instead of a cookie', method: 'GET', path: '/secrets', auth: 'none', headers: { Authorization: 'Bearer x' }, status: 401, code: 'unauthenticated' },

  // --- PUT /secrets/{name} ---
  { label: 'replace: name in the body', method: 'PUT', path: `/secrets/${EXISTING}`, auth: 'alice', body: { name: 'OTHER', value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'replace: missing value', method: 'PUT', path: `/secrets/${EXISTING}`, auth: 'alice', body: { description: 'd' }, status: 400, code: 'validation_error', field: 'value' },
  { label: 'replace: value as an object', method: 'PUT', path: `/secrets/${EXISTING}`, auth: 'alice', body: { value: { toString: MARK } }, status: 400, code: 'validation_error', field: 'value' },
  { label: 'replace: an unknown secret', method: 'PUT', path: '/secrets/NOPE', auth: 'alice', body: { value: MARK }, status: 404, code: 'not_found' },
  { label: 'replace: a lowercase name in the path', method: 'PUT', path: '/secrets/existing', auth: 'alice', body: { value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'replace: an encoded ../ in the path', method: 'PUT', path: '/secrets/..%2FEXISTING', auth: 'alice', body: { value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'replace: a double-encoded slash', method: 'PUT', path: `/secrets/${EXISTING}%252F`, auth: 'alice', body: { value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'replace: an encoded NUL after the name', method: 'PUT', path: `/secrets/${EXISTING}%00`, auth: 'alice', body: { value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'replace: an encoded zero-width space', method: 'PUT', path: `/secrets/${EXISTING}%E2%80%8B`, auth: 'alice', body: { value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'replace: an encoded right-to-left override', method: 'PUT', path: `/secrets/%E2%80%AE${EXISTING}`, auth: 'alice', body: { value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'replace: invalid percent-encoding', method: 'PUT', path: `/secrets/${EXISTING}%ZZ`, auth: 'alice', body: { value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'replace: a lone encoded UTF-8 continuation byte', method: 'PUT', path: `/secrets/${EXISTING}%80`, auth: 'alice', body: { value: MARK }, status: 400, code: 'validation_error', field: 'name' },
  { label: 'replace: text/plain', method: 'PUT', path: `/secrets/${EXISTING}`, auth: 'alice', body: json({ value: MARK }), headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, status: 415, code: 'unsupported_media_type' },
  { label: 'replace: without the token', method: 'PUT', path: `/secrets/${EXISTING}`, auth: 'cookie-only', body: { value: MARK }, status: 403, code: 'csrf_failed' },
  { label: 'replace: a body over 128 KiB', method: 'PUT', path: `/secrets/${EXISTING}`, auth: 'alice', body: json({ value: BIG }), status: 413, code: 'payload_too_large' },
  { label: 'replace: a body that claims 1 GB', method: 'PUT', path: `/secrets/${EXISTING}`, auth: 'alice', body: json({ value: MARK }), headers: { 'Content-Length': '1000000000' }, status: 413, code: 'payload_too_large' },

  // --- DELETE /secrets/{name} ---
  { label: 'delete: an unknown secret', method: 'DELETE', path: '/secrets/NOPE', auth: 'alice', status: 404, code: 'not_found' },
  { label: 'delete: a body with a field', method: 'DELETE', path: `/secrets/${EXISTING}`, auth: 'alice', body: { force: true }, status: 400, code: 'validation_error', field: 'force' },
  { label: 'delete: a JSON array body', method: 'DELETE', path: `/secrets/${EXISTING}`, auth: 'alice', body: [], status: 400, code: 'invalid_json' },
  { label: 'delete: a text/plain body', method: 'DELETE', path: `/secrets/${EXISTING}`, auth: 'alice', body: '{}', headers: { 'Content-Type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
  { label: 'delete: without the token', method: 'DELETE', path: `/secrets/${EXISTING}`, auth: 'cookie-only', status: 403, code: 'csrf_failed' },
  { label: 'delete: another session\'s token', method: 'DELETE', path: `/secrets/${EXISTING}`, auth: 'bob-token', status: 403, code: 'csrf_failed' },
  { label: 'delete: encoded ../ to reach another route', method: 'DELETE', path: '/secrets/..%2Fsession', auth: 'alice', status: 400, code: 'validation_error', field: 'name' },
  { label: 'delete: a trailing slash', method: 'DELETE', path: `/secrets/${EXISTING}/`, auth: 'alice', status: 404, code: 'not_found' },
  { label: 'delete: a second path segment', method: 'DELETE', path: `/secrets/${EXISTING}/x`, auth: 'alice', status: 404, code: 'not_found' },
  { label: 'delete: the collection', method: 'DELETE', path: '/secrets', auth: 'alice', status: 404, code: 'not_found' },
  { label: 'delete: dot segments normalised away from /secrets', method: 'DELETE', path: `/secrets/%2e%2e/secrets/${EXISTING}/x`, parsedPath: `/secrets/${EXISTING}/x`, auth: 'alice', status: 404, code: 'not_found' },

  // --- POST /secrets/{name}/rotate ---
  { label: 'rotate: an unknown secret', method: 'POST', path: '/secrets/NOPE/rotate', auth: 'alice', status: 404, code: 'not_found' },
  { label: 'rotate: a body with a field', method: 'POST', path: `/secrets/${EXISTING}/rotate`, auth: 'alice', body: { all: true }, status: 400, code: 'validation_error', field: 'all' },
  { label: 'rotate: a JSON string body', method: 'POST', path: `/secrets/${EXISTING}/rotate`, auth: 'alice', body: '"x"', status: 400, code: 'invalid_json' },
  { label: 'rotate: a form body', method: 'POST', path: `/secrets/${EXISTING}/rotate`, auth: 'alice', body: 'a=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
  { label: 'rotate: without the token', method: 'POST', path: `/secrets/${EXISTING}/rotate`, auth: 'cookie-only', status: 403, code: 'csrf_failed' },
  { label: 'rotate: an encoded NUL in the name', method: 'POST', path: '/secrets/A%00B/rotate', auth: 'alice', status: 400, code: 'validation_error', field: 'name' },
  { label: 'rotate: a GET', method: 'GET', path: `/secrets/${EXISTING}/rotate`, auth: 'alice', status: 404, code: 'not_found' },

  // --- GET /secrets/{name} and the access log ---
  { label: 'get: a lowercase name', method: 'GET', path: '/secrets/existing', auth: 'alice', status: 400, code: 'validation_error', field: 'name' },
  { label: 'get: a 129-character name', method: 'GET', path: `/secrets/${'N'.repeat(129)}`, auth: 'alice', status: 400, code: 'validation_error', field: 'name' },
  { label: 'get: a 100,000-character name', method: 'GET', path: `/secrets/${'N'.repeat(100_000)}`, auth: 'alice', status: 400, code: 'validation_error', field: 'name' },
  { label: 'get: an unknown name', method: 'GET', path: '/secrets/NOPE', auth: 'alice', status: 404, code: 'not_found' },
  { label: 'get: an encoded NUL', method: 'GET', path: '/secrets/%00', auth: 'alice', status: 400, code: 'validation_error', field: 'name' },
  { label: 'get: an encoded ../', method: 'GET', path: '/secrets/..%2F', auth: 'alice', status: 400, code: 'validation_error', field: 'name' },
  { label: 'get: a double-encoded ../', method: 'GET', path: '/secrets/..%252F..%252Fsession', auth: 'alice', status: 400, code: 'validation_error', field: 'name' },
  { label: 'get: an encoded backslash', method: 'GET', path: '/secrets/..%5C..%5Csession', auth: 'alice', status: 400, code: 'validation_error', field: 'name' },
  { label: 'get: a name with an encoded right-to-left override', method: 'GET', path: `/secrets/${EXISTING}%E2%80%AE`, auth: 'alice', status: 400, code: 'validation_error', field: 'name' },
  { label: 'access log: limit 0', method: 'GET', path: `/secrets/${EXISTING}/access-log?limit=0`, auth: 'alice', status: 400, code: 'validation_error', field: 'limit' },
  { label: 'access log: limit 201', method: 'GET', path: `/secrets/${EXISTING}/access-log?limit=201`, auth: 'alice', status: 400, code: 'validation_error', field: 'limit' },
  { label: 'access log: limit -1', method: 'GET', path: `/secrets/${EXISTING}/access-log?limit=-1`, auth: 'alice', status: 400, code: 'validation_error', field: 'limit' },
  { label: 'access log: limit 10^30', method: 'GET', path: `/secrets/${EXISTING}/access-log?limit=${'9'.repeat(30)}`, auth: 'alice', status: 400, code: 'validation_error', field: 'limit' },
  { label: 'access log: limit 1e2', method: 'GET', path: `/secrets/${EXISTING}/access-log?limit=1e2`, auth: 'alice', status: 400, code: 'validation_error', field: 'limit' },
  { label: 'access log: limit 0x10', method: 'GET', path: `/secrets/${EXISTING}/access-log?limit=0x10`, auth: 'alice', status: 400, code: 'validation_error', field: 'limit' },
  { label: 'access log: limit with a NUL', method: 'GET', path: `/secrets/${EXISTING}/access-log?limit=5%00`, auth: 'alice', status: 400, code: 'validation_error', field: 'limit' },
  { label: 'access log: limit given twice', method: 'GET', path: `/secrets/${EXISTING}/access-log?limit=5&limit=6`, auth: 'alice', status: 400, code: 'validation_error', field: 'limit' },
  { label: 'access log: limit as an array key', method: 'GET', path: `/secrets/${EXISTING}/access-log?limit[]=5`, auth: 'alice', status: 400, code: 'validation_error' },
  { label: 'access log: an empty limit', method: 'GET', path: `/secrets/${EXISTING}/access-log?limit=`, auth: 'alice', status: 400, code: 'validation_error', field: 'limit' },
  { label: 'access log: a garbage cursor', method: 'GET', path: `/secrets/${EXISTING}/access-log?cursor=${MARK}`, auth: 'alice', status: 400, code: 'validation_error', field: 'cursor' },
  { label: 'access log: a cursor of id 10^17', method: 'GET', path: `/secrets/${EXISTING}/access-log?cursor=${btoa('al1:99999999999999999').replace(/=+$/, '')}`, auth: 'alice', status: 400, code: 'validation_error', field: 'cursor' },
  { label: 'access log: a cursor of id 0', method: 'GET', path: `/secrets/${EXISTING}/access-log?cursor=${btoa('al1:0').replace(/=+$/, '')}`, auth: 'alice', status: 400, code: 'validation_error', field: 'cursor' },
  { label: 'access log: a cursor of a negative id', method: 'GET', path: `/secrets/${EXISTING}/access-log?cursor=${btoa('al1:-5').replace(/=+$/, '')}`, auth: 'alice', status: 400, code: 'validation_error', field: 'cursor' },
  { label: 'access log: a 100,000-character cursor', method: 'GET', path: `/secrets/${EXISTING}/access-log?cursor=${'A'.repeat(100_000)}`, auth: 'alice', status: 400, code: 'validation_error', field: 'cursor' },
  { label: 'access log: a cursor given twice', method: 'GET', path: `/secrets/${EXISTING}/access-log?cursor=${encodeAccessLogCursor(5)}&cursor=${encodeAccessLogCursor(5)}`, auth: 'alice', status: 400, code: 'validation_error', field: 'cursor' },
  { label: 'access log: a cursor with SQL in it', method: 'GET', path: `/secrets/${EXISTING}/access-log?cursor=${btoa("al1:1 OR 1=1").replace(/=+$/, '')}`, auth: 'alice', status: 400, code: 'validation_error', field: 'cursor' },
  { label: 'access log: an unknown parameter', method: 'GET', path: `/secrets/${EXISTING}/access-log?offset=5`, auth: 'alice', status: 400, code: 'validation_error', field: 'offset' },
  { label: 'access log: a malformed name', method: 'GET', path: '/secrets/a-b/access-log', auth: 'alice', status: 400, code: 'validation_error', field: 'name' },
  { label: 'access log: without a session', method: 'GET', path: `/secrets/${EXISTING}/access-log`, auth: 'none', status: 401, code: 'unauthenticated' },

  // --- /session ---
  { label: 'login: username as a number', method: 'POST', path: '/session', auth: 'none', body: { username: 1, password: MARK }, status: 400, code: 'validation_error', field: 'username' },
  { label: 'login: password as an array', method: 'POST', path: '/session', auth: 'none', body: { username: 'alice', password: [MARK] }, status: 400, code: 'validation_error', field: 'password' },
  { label: 'login: missing password', method: 'POST', path: '/session', auth: 'none', body: { username: 'alice' }, status: 400, code: 'validation_error', field: 'password' },
  { label: 'login: an extra field', method: 'POST', path: '/session', auth: 'none', body: { username: 'alice', password: ALICE.password, admin: true }, status: 400, code: 'validation_error', field: 'admin' },
  { label: 'login: a 1,025-character password', method: 'POST', path: '/session', auth: 'none', body: { username: 'alice', password: 'p'.repeat(1025) }, status: 400, code: 'validation_error', field: 'password' },
  { label: 'login: a 65-character username', method: 'POST', path: '/session', auth: 'none', body: { username: 'a'.repeat(65), password: MARK }, status: 400, code: 'validation_error', field: 'username' },
  { label: 'login: the right password, as text/plain', method: 'POST', path: '/session', auth: 'none', body: json(ALICE), headers: { 'Content-Type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
  { label: 'login: the right password, as a form', method: 'POST', path: '/session', auth: 'none', body: `username=alice&password=${encodeURIComponent(ALICE.password)}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
  { label: 'login: the right password, cross-site', method: 'POST', path: '/session', auth: 'none', body: ALICE, headers: { Origin: 'https://evil.example' }, status: 403, code: 'csrf_failed' },
  { label: 'login: a wrong password', method: 'POST', path: '/session', auth: 'none', body: { username: 'alice', password: MARK }, status: 401, code: 'unauthenticated', audited: REFUSED_LOGIN('operator:alice') },
  { label: 'login: a username with a NUL', method: 'POST', path: '/session', auth: 'none', body: { username: 'alice\u0000', password: ALICE.password }, status: 401, code: 'unauthenticated', audited: REFUSED_LOGIN('operator:?') },
  { label: 'login: a username with a zero-width space', method: 'POST', path: '/session', auth: 'none', body: { username: 'ali\u200Bce', password: ALICE.password }, status: 401, code: 'unauthenticated', audited: REFUSED_LOGIN('operator:?') },
  { label: 'login: a username with a right-to-left override', method: 'POST', path: '/session', auth: 'none', body: { username: '\u202Eecila', password: ALICE.password }, status: 401, code: 'unauthenticated', audited: REFUSED_LOGIN('operator:?') },
  { label: 'login: deeply nested JSON', method: 'POST', path: '/session', auth: 'none', body: DEEP_TOP, status: 400, code: 'validation_error' },
  { label: 'login: a body over 128 KiB', method: 'POST', path: '/session', auth: 'none', body: json({ username: 'alice', password: BIG }), status: 413, code: 'payload_too_large' },
  { label: 'logout: without the token', method: 'DELETE', path: '/session', auth: 'cookie-only', status: 403, code: 'csrf_failed' },
  { label: 'logout: a text/plain body', method: 'DELETE', path: '/session', auth: 'alice', body: '{}', headers: { 'Content-Type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
  { label: 'logout: a body with a field', method: 'DELETE', path: '/session', auth: 'alice', body: { all: true }, status: 400, code: 'validation_error', field: 'all' },
  { label: 'logout: without a session', method: 'DELETE', path: '/session', auth: 'none', status: 401, code: 'unauthenticated' },
  { label: 'session: PUT', method: 'PUT', path: '/session', auth: 'alice', body: {}, status: 404, code: 'not_found' },

  // --- routes and methods that do not exist ---
  { label: 'PATCH with a value (PATCH changes the description alone)', method: 'PATCH', path: `/secrets/${EXISTING}`, auth: 'alice', body: { value: MARK }, status: 400, code: 'validation_error' },
  { label: 'PATCH with a value and a description', method: 'PATCH', path: `/secrets/${EXISTING}`, auth: 'alice', body: { description: 'd', value: MARK }, status: 400, code: 'validation_error' },
  { label: 'PATCH on a secret without the token', method: 'PATCH', path: `/secrets/${EXISTING}`, auth: 'cookie-only', body: { value: MARK }, status: 403, code: 'csrf_failed' },
  { label: 'PUT on the collection', method: 'PUT', path: '/secrets', auth: 'alice', body: { value: MARK }, status: 404, code: 'not_found' },
  { label: 'an uppercase route', method: 'GET', path: '/SECRETS', auth: 'alice', status: 404, code: 'not_found' },
  { label: 'a double slash', method: 'GET', path: '//secrets', auth: 'alice', status: 404, code: 'not_found' },
  { label: 'dot segments out of the tree (the URL parser makes them /etc/passwd: no such route)', method: 'GET', path: '/secrets/%2e%2e/%2e%2e/etc/passwd', parsedPath: '/etc/passwd', auth: 'alice', status: 404, code: 'not_found' },
  { label: 'POST to /healthz', method: 'POST', path: '/healthz', auth: 'alice', body: {}, status: 404, code: 'not_found' },
]

/** The headers of a case's auth. */
function authHeaders(auth: Auth, s: { alice: Login; bob: Login; stale: Login }): Record<string, string> {
  switch (auth) {
    case 'alice':
      return { Cookie: s.alice.cookie, 'X-CSRF-Token': s.alice.csrf }
    case 'none':
      return {}
    case 'stale':
      return { Cookie: s.stale.cookie, 'X-CSRF-Token': s.stale.csrf }
    case 'cookie-only':
      return { Cookie: s.alice.cookie }
    case 'bob-token':
      return { Cookie: s.alice.cookie, 'X-CSRF-Token': s.bob.csrf }
    case 'garbage-cookie':
      return { Cookie: `secrets_session=${'x'.repeat(43)}`, 'X-CSRF-Token': s.alice.csrf }
  }
}

describe('adversarial input: 4xx with an error code, nothing changed', () => {
  let h: Harness
  let sessions: { alice: Login; bob: Login; stale: Login }
  let before: Snapshot

  beforeEach(async () => {
    h = await harness()
    // A session that existed and was logged out: its cookie and token must be worthless.
    const stale = await h.login(ALICE)
    const out = await h.as(stale, 'DELETE', '/session')
    expect(out.status).toBe(204)
    sessions = { alice: await h.login(ALICE), bob: await h.login(BOB), stale }
    const created = await h.as(sessions.alice, 'POST', '/secrets', { name: EXISTING, value: 'existing-value' })
    expect(created.status).toBe(201)
    h.bodies.length = 0
    before = await everyTable(h.ctx.store.db, h.ctx.store.dialect)
  })
  afterEach(() => h.close())

  test(`the table holds at least 60 cases over every route (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60)
    const routes = new Set(CASES.map((c) => `${c.method} ${c.path.replace(/\?.*$/, '').replace(/^\/secrets\/[^/]+/, '/secrets/{name}')}`))
    for (const route of [
      'POST /session',
      'GET /session',
      'DELETE /session',
      'GET /secrets',
      'POST /secrets',
      'GET /secrets/{name}',
      'PUT /secrets/{name}',
      'DELETE /secrets/{name}',
      'POST /secrets/{name}/rotate',
      'GET /secrets/{name}/access-log',
    ]) {
      expect(routes.has(route)).toBe(true)
    }
  })

  for (const c of CASES) {
    test(`${c.method} ${c.path.length > 80 ? `${c.path.slice(0, 80)}…` : c.path}: ${c.label} → ${c.status} ${c.code}`, async () => {
      const headers: Record<string, string> = authHeaders(c.auth, sessions)
      const body = c.body === undefined ? undefined : typeof c.body === 'string' || c.body instanceof Uint8Array ? c.body : JSON.stringify(c.body)
      if (c.body !== undefined && typeof c.body !== 'string' && !(c.body instanceof Uint8Array)) headers['Content-Type'] = 'application/json'
      if (typeof c.body === 'string' && !c.headers?.['Content-Type']) headers['Content-Type'] = 'application/json'
      for (const [k, v] of Object.entries(c.headers ?? {})) {
        if (v === null) delete headers[k]
        else if (k === 'X-CSRF-Token' && v === 'TOKEN-1') headers[k] = sessions.alice.csrf.slice(0, -1)
        else if (k === 'X-CSRF-Token' && v.startsWith('TOKEN')) headers[k] = sessions.alice.csrf + v.slice(5)
        else headers[k] = v
      }
      // The app sees the path the case names (or the rewrite it declares), never another.
      expect(new URL(`http://localhost${c.path}`).pathname).toBe(c.parsedPath ?? c.path.replace(/\?.*$/, ''))
      const res = await h.request(c.path, { method: c.method, headers, body: body as BodyInit | undefined })
      const text = await res.text()
      expect({ status: res.status, text: text.slice(0, 300) }).toMatchObject({ status: c.status })
      expect(res.headers.get('Content-Type')).toMatch(/^application\/json/)
      expect(res.headers.get('Cache-Control')).toBe('no-store')
      const parsed = JSON.parse(text) as { error: { code: string; message: string; field?: string } }
      expect(Object.keys(parsed)).toEqual(['error'])
      expect(parsed.error.code).toBe(c.code)
      expect(typeof parsed.error.message).toBe('string')
      expect(parsed.error.message.length).toBeGreaterThan(0)
      if (c.field !== undefined) expect(parsed.error.field).toBe(c.field)
      // Nothing of the input comes back: not the marker, not a password, not a value.
      expect(text).not.toContain(MARK)
      expect(text).not.toContain(ALICE.password)
      expect(text).not.toContain('existing-value')
      expect(h.errors).toEqual([])
      const after = await everyTable(h.ctx.store.db, h.ctx.store.dialect)
      const audit = (t: typeof before) => (t.secret_access_log ?? []) as Array<{ id: number; action: string; accessor: string; outcome: string }>
      const known = new Set(audit(before).map((r) => Number(r.id)))
      const added = audit(after).filter((r) => !known.has(Number(r.id)))
      expect(added.map(({ action, accessor, outcome }) => ({ action, accessor, outcome }))).toEqual(c.audited ?? [])
      if (c.audited === undefined) expect(after).toEqual(before)
      else {
        // The rows, the head they moved and SQLite's id counter are the only change.
        const rest = (t: typeof before) => Object.fromEntries(Object.entries(t).filter(([name]) => !['secret_access_log', 'audit_chain_head', 'sqlite_sequence'].includes(name)))
        expect(rest(after)).toEqual(rest(before))
        expect(JSON.stringify(added)).not.toContain(MARK)
        expect(await h.ctx.service.auditLog.verify(h.ctx.store.db)).toMatchObject({ ok: true })
      }
    })
  }
})

describe('asset paths against a real UI build', () => {
  let h: Harness
  let script: string
  beforeAll(async () => {
    await ensureWebBuild({ quiet: true })
    const dist = join(import.meta.dir, '..', '..', 'web', 'dist')
    script = readdirSync(join(dist, 'assets')).find((f) => f.endsWith('.js'))!
    h = await harness({ webDir: dist })
  })
  afterAll(() => h.close())

  test('the control: a built asset is served', async () => {
    const res = await h.request(`/assets/${script}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('Content-Type')).toContain('javascript')
  })

  for (const [label, path] of [
    ['encoded dot segments', () => `/assets/..%2F..%2Fpackage.json`],
    ['encoded dot segments into a built name', () => `/assets/..%2Fassets%2F${script}`],
    ['an encoded NUL after a built name', () => `/assets/${script}%00.png`],
    ['a built name with a trailing slash', () => `/assets/${script}/`],
  ] as const) {
    test(`${label}: 404 not_found, nothing read from disk`, async () => {
      const res = await h.request(path())
      expect(res.status).toBe(404)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found')
    })
  }
})
