import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import type { SecretsContext } from '../../src/context.ts'
import { OperatorService } from '../../src/operators/operator.service.ts'
import { operatorDb } from '../../src/operators/operator.table.ts'
import { createHmac } from 'node:crypto'
import { encodeBase64Url } from '../../src/crypto/encoding.ts'
import { csrfTokenFor, hashSessionToken, isSessionTokenShape, newSessionToken } from '../../src/operators/session-token.ts'
import { DEFAULT_SESSION_POLICY, SessionService } from '../../src/operators/session.service.ts'
import { memoryContext, testClock } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'

describeEachDialect('SessionService', (dialect) => {
  let ctx: SecretsContext
  let clock: ReturnType<typeof testClock>
  let sessions: SessionService

  beforeEach(async () => {
    clock = testClock()
    ctx = await memoryContext({}, { now: clock.now }, dialect)
    await new OperatorService({ db: ctx.store.db, passwordParams: { ln: 10, r: 8, p: 1 } }).add('alice', 'correct horse battery')
    sessions = new SessionService({ db: ctx.store.db, now: clock.now })
  })
  afterEach(() => ctx.close())

  const sessionRows = () => operatorDb(ctx.store.db).selectFrom('operator_session').selectAll().execute()

  describe('session tokens', () => {
    test('are 256 random bits in base64url, never repeated', () => {
      const tokens = new Set(Array.from({ length: 100 }, newSessionToken))
      expect(tokens.size).toBe(100)
      for (const t of tokens) expect(isSessionTokenShape(t)).toBe(true)
    })

    test('the stored hash is SHA-256 of the token; the CSRF token is an HMAC keyed by it', async () => {
      const token = newSessionToken()
      const expected = Buffer.from(new Bun.CryptoHasher('sha256').update(token).digest()).toString('base64url')
      expect(hashSessionToken(token)).toBe(expected)
      const csrf = csrfTokenFor(token)
      expect(csrf).toBe(csrfTokenFor(token))
      expect(csrf).not.toBe(csrfTokenFor(newSessionToken()))
      expect(csrf).not.toBe(expected)
      // Unpadded base64url, the same text as the project's own encoder gives (sessions stored before keep working).
      expect(csrf).toBe(encodeBase64Url(new Uint8Array(createHmac('sha256', token).update('claude-hooks-secrets csrf v1').digest())))
      expect(hashSessionToken(token)).toBe(encodeBase64Url(new Bun.CryptoHasher('sha256').update(token).digest()))
    })

    test('shapes other than 43 base64url characters are refused before any lookup', () => {
      for (const t of [undefined, '', 'a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}/`]) {
        expect(isSessionTokenShape(t)).toBe(false)
      }
    })
  })

  describe('SessionService', () => {
    test('create stores only the token hash, and resolve finds the session by the token', async () => {
      const { token, session } = await sessions.create('alice')
      const rows = await sessionRows()
      expect(rows).toEqual([
        { token_hash: hashSessionToken(token), username: 'alice', created_at: '2026-01-01T00:00:00.000Z', last_seen_at: '2026-01-01T00:00:00.000Z' },
      ])
      expect(JSON.stringify(rows)).not.toContain(token)
      expect(await sessions.resolve(token)).toEqual(session)
      expect(session.csrfToken).toBe(csrfTokenFor(token))
    })

    test('an unknown, malformed or missing token resolves to nothing', async () => {
      await sessions.create('alice')
      for (const t of [undefined, '', 'nope', newSessionToken()]) expect(await sessions.resolve(t)).toBeUndefined()
    })

    test('idle expiry: a session unused for 30 minutes is over and its row deleted', async () => {
      const { token } = await sessions.create('alice')
      clock.tick(DEFAULT_SESSION_POLICY.idleMs - 1)
      expect(await sessions.resolve(token)).toBeDefined()
      clock.tick(DEFAULT_SESSION_POLICY.idleMs)
      expect(await sessions.resolve(token)).toBeUndefined()
      expect(await sessionRows()).toEqual([])
    })

    test('use moves the idle clock on, but at most once per touch interval', async () => {
      const { token } = await sessions.create('alice')
      clock.tick(30_000)
      await sessions.resolve(token)
      expect((await sessionRows())[0]!.last_seen_at).toBe('2026-01-01T00:00:00.000Z')
      clock.tick(30_000)
      await sessions.resolve(token)
      expect((await sessionRows())[0]!.last_seen_at).toBe('2026-01-01T00:01:00.000Z')
    })

    test('absolute expiry: a session busy all along still ends after 12 hours', async () => {
      const { token } = await sessions.create('alice')
      for (let elapsed = 0; elapsed < DEFAULT_SESSION_POLICY.absoluteMs - 20 * 60_000; elapsed += 20 * 60_000) {
        clock.tick(20 * 60_000)
        expect(await sessions.resolve(token)).toBeDefined()
      }
      clock.tick(20 * 60_000)
      expect(await sessions.resolve(token)).toBeUndefined()
    })

    test('end deletes the row; a login purges expired rows of everyone', async () => {
      await new OperatorService({ db: ctx.store.db, passwordParams: { ln: 10, r: 8, p: 1 } }).add('bob', 'correct horse battery')
      const first = await sessions.create('alice')
      // Another operator's session: the purge by alice's next login must reach it too.
      const second = await sessions.create('bob')
      expect(await sessions.end(first.session.tokenHash)).toBe(true)
      expect(await sessions.end(first.session.tokenHash)).toBe(false)
      expect((await sessionRows()).map((r) => r.token_hash)).toEqual([second.session.tokenHash])
      clock.tick(DEFAULT_SESSION_POLICY.idleMs)
      await sessions.create('alice')
      expect((await sessionRows()).map((r) => r.token_hash)).not.toContain(second.session.tokenHash)
    })

    test('policies are configurable', async () => {
      const short = new SessionService({ db: ctx.store.db, now: clock.now, policy: { idleMs: 1000 } })
      expect(short.policy).toEqual({ ...DEFAULT_SESSION_POLICY, idleMs: 1000 })
      const { token } = await short.create('alice')
      clock.tick(1000)
      expect(await short.resolve(token)).toBeUndefined()
    })
  })

  describe('SessionService with a generation', () => {
    test('reuses what it read while the generation is the same, and reads again once it moves', async () => {
      const { token, session } = await sessions.create('alice')
      expect(await sessions.resolve(token, 'g1')).toEqual(session)
      // A change the generation does not reflect (same connection, no bump) is not seen...
      await operatorDb(ctx.store.db).deleteFrom('operator_session').execute()
      expect(await sessions.resolve(token, 'g1')).toEqual(session)
      // ...until the generation moves, and never without one.
      expect(await sessions.resolve(token, 'g2')).toBeUndefined()
      expect(await sessions.resolve(token)).toBeUndefined()
    })

    test('expiry is checked on every call, cached or not', async () => {
      const { token } = await sessions.create('alice')
      expect(await sessions.resolve(token, 'g1')).toBeDefined()
      clock.tick(DEFAULT_SESSION_POLICY.idleMs)
      expect(await sessions.resolve(token, 'g1')).toBeUndefined()
      expect(await sessionRows()).toEqual([])
    })

    test('a cached live session not due for a touch is the answer itself, no promise; anything else is a promise', async () => {
      const { token, session } = await sessions.create('alice')
      expect(sessions.resolve(token, 'g1')).toBeInstanceOf(Promise)
      await sessions.resolve(token, 'g1')
      const cached = sessions.resolve(token, 'g1')
      expect(cached).not.toBeInstanceOf(Promise)
      expect(cached).toEqual(session)
      expect(sessions.resolve(token, 'g2')).toBeInstanceOf(Promise)
      expect(sessions.resolve(token)).toBeInstanceOf(Promise)
    })

    test('absolute expiry is checked on the cached answer too', async () => {
      const { token } = await sessions.create('alice')
      // Kept alive (touched) up to just before the absolute lifetime, always under the same generation.
      const step = DEFAULT_SESSION_POLICY.idleMs - 60_000
      for (let t = 0; t + step < DEFAULT_SESSION_POLICY.absoluteMs; t += step) {
        expect(await sessions.resolve(token, 'g1')).toBeDefined()
        clock.tick(step)
      }
      clock.tick(DEFAULT_SESSION_POLICY.absoluteMs)
      expect(await sessions.resolve(token, 'g1')).toBeUndefined()
      expect(await sessionRows()).toEqual([])
    })

    test('a cached session is still touched, and end() forgets it', async () => {
      const { token, session } = await sessions.create('alice')
      await sessions.resolve(token, 'g1')
      clock.tick(DEFAULT_SESSION_POLICY.touchIntervalMs)
      await sessions.resolve(token, 'g1')
      expect((await sessionRows())[0]!.last_seen_at).toBe('2026-01-01T00:01:00.000Z')
      await sessions.end(session.tokenHash)
      expect(await sessions.resolve(token, 'g1')).toBeUndefined()
    })
  })
})
