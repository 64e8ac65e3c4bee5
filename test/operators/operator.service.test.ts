import { afterEach, beforeEach, describe, expect, spyOn, test } from 'bun:test'
import type { SecretsContext } from '../../src/context.ts'
import { ValidationError } from '../../src/errors.ts'
import { OperatorExistsError, OperatorNotFoundError } from '../../src/operators/operator-errors.ts'
import { OperatorService } from '../../src/operators/operator.service.ts'
import * as passwordHash from '../../src/operators/password-hash.ts'
import { SessionService } from '../../src/operators/session.service.ts'
import { memoryContext, testClock } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'

const FAST = { ln: 10, r: 8, p: 1 }
const PASSWORD = 'correct horse battery'

describeEachDialect('OperatorService', (dialect) => {
  let ctx: SecretsContext
  let clock: ReturnType<typeof testClock>
  let operators: OperatorService

  beforeEach(async () => {
    clock = testClock()
    ctx = await memoryContext({}, { now: clock.now }, dialect)
    operators = new OperatorService({ db: ctx.store.db, now: clock.now, passwordParams: FAST })
  })
  afterEach(() => ctx.close())

  const operatorRows = () => ctx.store.db.withTables<{ operator: { username: string; password_hash: string } }>().selectFrom('operator').selectAll().execute()

  async function rejection(p: Promise<unknown>): Promise<unknown> {
    try {
      await p
    } catch (e) {
      return e
    }
    throw new Error('expected a rejection')
  }

  describe('add', () => {
    test('stores the username and an scrypt hash, never the password', async () => {
      expect(await operators.add('alice', PASSWORD)).toEqual({ username: 'alice', created_at: '2026-01-01T00:00:00.000Z', last_login_at: null })
      const [row] = await operatorRows()
      expect(row!.password_hash).toStartWith('$scrypt$ln=10,r=8,p=1$')
      expect(JSON.stringify(row)).not.toContain(PASSWORD)
    })

    test('refuses an existing username with OperatorExistsError (already_exists)', async () => {
      await operators.add('alice', PASSWORD)
      const e = await rejection(operators.add('alice', 'another long password'))
      expect(e).toBeInstanceOf(OperatorExistsError)
      expect((e as OperatorExistsError).code).toBe('already_exists')
    })

    const bad: Array<[string, string, string, string]> = [
      ['an uppercase username', 'Alice', PASSWORD, 'username'],
      ['a username starting with a digit', '1alice', PASSWORD, 'username'],
      ['a username with a space', 'al ice', PASSWORD, 'username'],
      ['a 65-character username', 'a'.repeat(65), PASSWORD, 'username'],
      ['an empty username', '', PASSWORD, 'username'],
      ['an 11-character password', 'alice', 'SENTINEL-11', 'password'],
      ['a 1025-character password', 'alice', `SENTINEL${'x'.repeat(1017)}`, 'password'],
    ]
    for (const [label, username, password, field] of bad) {
      test(`refuses ${label}: ValidationError naming ${field}, nothing written, input never echoed`, async () => {
        const e = await rejection(operators.add(username, password))
        expect(e).toBeInstanceOf(ValidationError)
        expect((e as ValidationError).field).toBe(field)
        expect((e as Error).message).not.toContain('SENTINEL')
        expect(await operatorRows()).toEqual([])
      })
    }

    test('counts password length in characters, not bytes', async () => {
      await operators.add('alice', '\u00e9'.repeat(12))
      await expect(operators.add('bob', '\u00e9'.repeat(11))).rejects.toBeInstanceOf(ValidationError)
    })
  })

  describe('list and remove', () => {
    test('lists operators by username, without hashes', async () => {
      await operators.add('bob', PASSWORD)
      await operators.add('alice', PASSWORD)
      const list = await operators.list()
      expect(list.map((o) => o.username)).toEqual(['alice', 'bob'])
      expect(JSON.stringify(list)).not.toContain('scrypt')
    })

    test('remove deletes the operator and every session they hold', async () => {
      await operators.add('alice', PASSWORD)
      await operators.add('bob', PASSWORD)
      const sessions = new SessionService({ db: ctx.store.db, now: clock.now })
      const a = await sessions.create('alice')
      const b = await sessions.create('bob')
      await operators.remove('alice')
      expect((await operators.list()).map((o) => o.username)).toEqual(['bob'])
      expect(await sessions.resolve(a.token)).toBeUndefined()
      expect(await sessions.resolve(b.token)).toBeDefined()
    })

    test('remove of an unknown operator is OperatorNotFoundError (not_found)', async () => {
      const e = await rejection(operators.remove('nobody'))
      expect(e).toBeInstanceOf(OperatorNotFoundError)
      expect((e as OperatorNotFoundError).code).toBe('not_found')
    })
  })

  describe('authenticate', () => {
    beforeEach(() => operators.add('alice', PASSWORD).then(() => undefined))

    test('returns the username for the right password and records the login time', async () => {
      clock.tick(5000)
      expect(await operators.authenticate('alice', PASSWORD)).toBe('alice')
      expect((await operators.list())[0]!.last_login_at).toBe('2026-01-01T00:00:05.000Z')
    })

    test('gives undefined, and records nothing, for a wrong password, an unknown or a malformed username', async () => {
      for (const [u, p] of [
        ['alice', 'wrong password!!'],
        ['bob', PASSWORD],
        ['ALICE', PASSWORD],
        ['', ''],
        ["alice' OR 1=1 --", PASSWORD],
      ]) {
        expect(await operators.authenticate(u!, p!)).toBeUndefined()
      }
      expect((await operators.list())[0]!.last_login_at).toBeNull()
    })

    test('an unknown username costs one hash of the same parameters as a wrong password', async () => {
      // Checked by what runs, not by a clock (a busy machine makes timings noise): each
      // path verifies exactly once, against a hash of the service's own parameters.
      const params = { ln: 11, r: 8, p: 1 }
      const costly = new OperatorService({ db: ctx.store.db, passwordParams: params })
      await costly.add('carol', PASSWORD)
      await costly.prepare()
      const verify = spyOn(passwordHash, 'verifyPassword')
      try {
        for (const username of ['carol', 'nobody']) {
          verify.mockClear()
          expect(await costly.authenticate(username, 'wrong password!!')).toBeUndefined()
          expect(verify).toHaveBeenCalledTimes(1)
          const [password, stored] = verify.mock.calls[0]!
          expect(password).toBe('wrong password!!')
          expect(passwordHash.parsePasswordHash(stored)?.params).toEqual(params)
          // And it is the real check: the scrypt of those parameters ran and said no.
          expect(await verify.mock.results[0]!.value).toBe(false)
        }
      } finally {
        verify.mockRestore()
      }
    })
  })
})
