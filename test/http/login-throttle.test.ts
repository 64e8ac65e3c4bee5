import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { DEFAULT_THROTTLE_POLICY, LoginThrottle } from '../../src/http/login-throttle.ts'
import { testClock } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'
import { errorOf, type Harness, harness, jsonInit, ALICE } from './harness.ts'

describe('LoginThrottle', () => {
  const setup = (policy = {}) => {
    const clock = testClock()
    return { clock, throttle: new LoginThrottle({ policy, now: clock.now }) }
  }
  const failTimes = (t: LoginThrottle, n: number, user = 'alice', addr = '10.0.0.1') => {
    for (let i = 0; i < n; i++) expect(t.begin(user, addr)).toBeUndefined()
  }

  test('the defaults: 5 per username, 20 per address, 15 minutes, 1 minute doubling to 15', () => {
    expect(DEFAULT_THROTTLE_POLICY).toMatchObject({
      maxFailuresPerUsername: 5,
      maxFailuresPerAddress: 20,
      windowMs: 900_000,
      lockoutMs: 60_000,
      maxLockoutMs: 900_000,
    })
  })

  test('the fifth failure for a username locks it for a minute, from any address', () => {
    const { clock, throttle } = setup()
    failTimes(throttle, 5)
    expect(throttle.begin('alice', '10.0.0.1')).toBe(60)
    expect(throttle.begin('ALICE', '10.9.9.9')).toBe(60)
    expect(throttle.begin('bob', '10.9.9.9')).toBeUndefined()
    clock.tick(59_000)
    expect(throttle.begin('alice', '10.0.0.2')).toBe(1)
    clock.tick(1_000)
    expect(throttle.begin('alice', '10.0.0.2')).toBeUndefined()
  })

  test('each failure after the lock doubles it, up to 15 minutes', () => {
    const { clock, throttle } = setup()
    failTimes(throttle, 5)
    const locks: number[] = []
    for (let i = 0; i < 6; i++) {
      const wait = throttle.begin('alice', '10.0.0.1')!
      clock.tick(wait * 1000)
      expect(throttle.begin('alice', '10.0.0.1')).toBeUndefined()
      locks.push(throttle.begin('alice', '10.0.0.1')!)
    }
    expect(locks).toEqual([120, 240, 480, 900, 900, 900])
  })

  test('twenty failures from one address lock it, whatever usernames were tried', () => {
    const { throttle } = setup()
    for (let i = 0; i < 20; i++) expect(throttle.begin(`user${i}`, '10.0.0.1')).toBeUndefined()
    expect(throttle.begin('someone-new', '10.0.0.1')).toBe(60)
    expect(throttle.begin('someone-new', '10.0.0.2')).toBeUndefined()
  })

  test('failures older than the window are forgotten', () => {
    const { clock, throttle } = setup()
    failTimes(throttle, 4)
    clock.tick(DEFAULT_THROTTLE_POLICY.windowMs)
    failTimes(throttle, 4)
    expect(throttle.begin('alice', '10.0.0.1')).toBeUndefined()
  })

  test('a success clears the username and gives the address its attempt back', () => {
    const { throttle } = setup()
    failTimes(throttle, 4)
    expect(throttle.begin('alice', '10.0.0.1')).toBeUndefined()
    throttle.succeeded('alice', '10.0.0.1')
    failTimes(throttle, 4)
    expect(throttle.begin('alice', '10.0.0.1')).toBeUndefined()
  })

  test('a success on the attempt that reached the limit lifts the lock it set', () => {
    const { throttle } = setup()
    failTimes(throttle, 4)
    expect(throttle.begin('alice', '10.0.0.1')).toBeUndefined()
    throttle.succeeded('alice', '10.0.0.1')
    expect(throttle.begin('alice', '10.0.0.1')).toBeUndefined()
  })

  test('parallel attempts count from the start: a burst cannot all slip in', () => {
    const { throttle } = setup()
    const answers = Array.from({ length: 10 }, () => throttle.begin('alice', '10.0.0.1'))
    expect(answers.filter((a) => a === undefined)).toHaveLength(5)
  })

  test('memory stays bounded under a spray of usernames', () => {
    const { throttle } = setup({ maxEntries: 100, maxFailuresPerAddress: 1_000_000 })
    for (let i = 0; i < 1000; i++) throttle.begin(`user${i}`, `10.0.${i >> 8}.${i & 255}`)
    expect(throttle.size).toBeLessThanOrEqual(100)
  })
})

describeEachDialect('login throttling over HTTP', (dialect) => {
  let h: Harness
  beforeEach(async () => {
    h = await harness({}, dialect)
  })
  afterEach(() => h.close())

  const attempt = (password: string, remoteAddress = '192.0.2.1', username = 'alice') =>
    h.request('/session', jsonInit('POST', { username, password }), { remoteAddress })

  test('five wrong passwords, then 429 with Retry-After even for the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await attempt('SENTINEL-wrong')).status).toBe(401)
    const res = await attempt(ALICE.password)
    expect(res.status).toBe(429)
    expect(res.headers.get('Retry-After')).toBe('60')
    expect(res.headers.get('Set-Cookie')).toBeNull()
    expect(await errorOf(res)).toEqual({ code: 'rate_limited', message: 'too many failed logins; try again in 60 seconds' })
    h.clock.tick(60_000)
    expect((await attempt(ALICE.password)).status).toBe(200)
  })

  test('an unknown username is throttled exactly like a known one', async () => {
    for (let i = 0; i < 5; i++) expect((await attempt('SENTINEL-wrong', '192.0.2.1', 'mallory')).status).toBe(401)
    const res = await attempt('SENTINEL-wrong', '192.0.2.1', 'mallory')
    expect(res.status).toBe(429)
    expect(res.headers.get('Retry-After')).toBe('60')
  })

  test('one address spraying usernames is locked; other addresses are not', async () => {
    for (let i = 0; i < 20; i++) expect((await attempt('SENTINEL-wrong', '198.51.100.7', `user${i}`)).status).toBe(401)
    expect((await attempt(ALICE.password, '198.51.100.7')).status).toBe(429)
    expect((await attempt(ALICE.password, '198.51.100.8')).status).toBe(200)
  })

  test('addresses in one IPv6 /64 share a bucket', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await attempt('SENTINEL-wrong', `2001:db8:1:2::${(i + 1).toString(16)}`, `user${i}`)).status).toBe(401)
    }
    expect((await attempt(ALICE.password, '2001:db8:1:2:ffff::1')).status).toBe(429)
    expect((await attempt(ALICE.password, '2001:db8:1:3::1')).status).toBe(200)
  })

  test('a locked login is refused before any password is hashed', async () => {
    // Unknown usernames are checked against a dummy hash of these (costlier) parameters.
    const slow = await harness({ passwordParams: { ln: 14, r: 8, p: 1 } }, dialect)
    try {
      const send = () => slow.request('/session', jsonInit('POST', { username: 'mallory', password: 'SENTINEL-wrong' }))
      let started = performance.now()
      for (let i = 0; i < 5; i++) expect((await send()).status).toBe(401)
      const hashed = (performance.now() - started) / 5
      started = performance.now()
      for (let i = 0; i < 5; i++) expect((await send()).status).toBe(429)
      const refused = (performance.now() - started) / 5
      expect(refused).toBeLessThan(hashed / 3)
    } finally {
      await slow.close()
    }
  })

  test('a malformed login body is a 400 and does not count as a failure', async () => {
    for (let i = 0; i < 10; i++) expect((await h.request('/session', jsonInit('POST', { username: 'alice' }))).status).toBe(400)
    expect((await attempt(ALICE.password)).status).toBe(200)
  })

  test('no message ever carries a submitted password', async () => {
    const before = h.bodies.length
    // Five 401s, then the username is locked: 429s. Each answer has a message that could have quoted it.
    for (let i = 0; i < 7; i++) expect([401, 429]).toContain((await attempt('SENTINEL-wrong')).status)
    const answers = h.bodies.slice(before)
    expect(answers).toHaveLength(7)
    for (const body of answers) {
      expect((JSON.parse(body) as { error: { message: string } }).error.message.length).toBeGreaterThan(0)
      expect(body).not.toContain('SENTINEL')
    }
  })
})
