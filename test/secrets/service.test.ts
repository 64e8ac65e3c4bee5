import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import type { SecretsContext } from '../../src/context.ts'
import {
  AuditWriteError,
  DecryptError,
  MissingSecretError,
  SecretExistsError,
  SecretNotFoundError,
  ValidationError,
} from '../../src/errors.ts'
import { CLI_ACTOR, makeAuditReadOnly, memoryContext, testClock } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'
import { caught } from '../helpers/caught.ts'

describeEachDialect('secrets service', (dialect) => {
  let ctx: SecretsContext
  let clock: ReturnType<typeof testClock>

  beforeEach(async () => {
    clock = testClock()
    ctx = await memoryContext({}, { now: clock.now }, dialect)
  })
  afterEach(() => ctx.close())

  const auditRows = () => ctx.store.db.selectFrom('secret_access_log').selectAll().orderBy('id').execute()
  const secretRows = () => ctx.store.db.selectFrom('secret').selectAll().orderBy('name').execute()

  async function expectValidation(p: Promise<unknown>, field: string): Promise<ValidationError> {
    const error = await caught(() => p)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).field).toBe(field)
    expect((error as ValidationError).code).toBe('validation_error')
    return error as ValidationError
  }

  describe('create', () => {
    test('stores a sealed row, returns metadata only, and audits the creation', async () => {
      const meta = await ctx.service.create({ name: 'GITHUB_TOKEN', value: 'ghp_abc', description: 'forge' }, CLI_ACTOR)
      expect(meta).toEqual({
        name: 'GITHUB_TOKEN',
        description: 'forge',
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
        rotated_at: '2026-01-01T00:00:00.000Z',
        key_id: ctx.keyring.current.id,
        key_current: true,
        version: 1,
      })
      const [row] = await secretRows()
      expect(new TextDecoder().decode(row!.ciphertext)).not.toContain('ghp_abc')
      const rows = await auditRows()
      expect(rows).toEqual([
        {
          id: 1,
          secret_name: 'GITHUB_TOKEN',
          action: 'create',
          accessor: 'cli:test',
          label: null,
          token_id: null,
          client_address: null,
          reason: 'unit test',
          outcome: 'ok',
          at: '2026-01-01T00:00:00.000Z',
          // The version the create wrote and the SHA-256 of its ciphertext (migration 0010).
          version: 1,
          ciphertext_sha256: createHash('sha256').update(row!.ciphertext).digest('hex'),
          chain: expect.stringMatching(/^[0-9a-f]{64}$/),
          // The audit chain's own key (test/audit), not the master key.
          chain_key_id: expect.stringMatching(/^[0-9a-f]{16}$/),
        },
      ])
      expect(rows[0]!.chain_key_id).not.toBe(ctx.keyring.current.id)
    })

    test('refuses an existing name with SecretExistsError and writes nothing', async () => {
      await ctx.service.create({ name: 'A', value: 'one' }, CLI_ACTOR)
      const before = await secretRows()
      await expect(ctx.service.create({ name: 'A', value: 'two' }, CLI_ACTOR)).rejects.toBeInstanceOf(SecretExistsError)
      expect(await secretRows()).toEqual(before)
      expect((await auditRows()).length).toBe(1)
    })

    const badInputs: Array<[string, Record<string, unknown>, string]> = [
      ['a lowercase name', { name: 'github_token', value: 'x' }, 'name'],
      ['a name starting with a digit', { name: '1TOKEN', value: 'x' }, 'name'],
      ['a name with a dash', { name: 'GH-TOKEN', value: 'x' }, 'name'],
      ['an empty name', { name: '', value: 'x' }, 'name'],
      ['a 129-character name', { name: 'A'.repeat(129), value: 'x' }, 'name'],
      ['a name with a NUL', { name: 'A\u0000B', value: 'x' }, 'name'],
      ['a non-string name', { name: 42, value: 'x' }, 'name'],
      ['an empty value', { name: 'A', value: '' }, 'value'],
      ['a value of 65,537 bytes', { name: 'A', value: 'x'.repeat(65_537) }, 'value'],
      ['a value of 65,538 bytes in 2-byte characters', { name: 'A', value: 'é'.repeat(32_769) }, 'value'],
      ['a non-string value', { name: 'A', value: 12 }, 'value'],
    ['a value with a lone surrogate', { name: 'A', value: 'ab\ud800c' }, 'value'],
    ['a description with a lone surrogate', { name: 'A', value: 'x', description: '\udc00' }, 'description'],
      ['a 501-character description', { name: 'A', value: 'x', description: 'd'.repeat(501) }, 'description'],
      ['a description with an escape sequence', { name: 'A', value: 'x', description: 'a\u001b[2Jb' }, 'description'],
      ['a description with a C1 control (CSI, U+009B)', { name: 'A', value: 'x', description: 'a\u009b2Jb' }, 'description'],
      ['a description with a C1 next line (U+0085)', { name: 'A', value: 'x', description: 'a\u0085b' }, 'description'],
      ['a description with a right-to-left override', { name: 'A', value: 'x', description: 'abc\u202edcba' }, 'description'],
      ['a description with a bidirectional isolate', { name: 'A', value: 'x', description: 'a\u2066b\u2069' }, 'description'],
      ['a description with a right-to-left mark', { name: 'A', value: 'x', description: 'a\u200fb' }, 'description'],
    ]
    for (const [label, input, field] of badInputs) {
      test(`refuses ${label}, naming the field "${field}", and writes nothing`, async () => {
        const e = await expectValidation(ctx.service.create(input as never, CLI_ACTOR), field)
        if (typeof input.value === 'string' && input.value.length > 0) expect(e.message).not.toContain(input.value)
        expect(await secretRows()).toEqual([])
        expect(await auditRows()).toEqual([])
      })
    }

    test('accepts the limits themselves: a 128-character name, 65,536 bytes, 500 characters', async () => {
      await ctx.service.create({ name: 'A'.repeat(128), value: 'é'.repeat(32_768), description: '😀'.repeat(500) }, CLI_ACTOR)
      expect((await secretRows()).length).toBe(1)
    })

    test('refuses C1 controls and bidirectional overrides in the accessor and the reason', async () => {
      await expectValidation(ctx.service.create({ name: 'A', value: 'x' }, { accessor: 'cli:a\u0085', reason: 'r' }), 'accessor')
      await expectValidation(ctx.service.create({ name: 'A', value: 'x' }, { accessor: 'a', reason: 'r\u202e' }), 'reason')
      await expectValidation(ctx.service.create({ name: 'A', value: 'x' }, { accessor: 'a', reason: 'r\u2067x' }), 'reason')
      expect(await secretRows()).toEqual([])
      expect(await auditRows()).toEqual([])
    })

    test('refuses an empty accessor or reason', async () => {
      await expectValidation(ctx.service.create({ name: 'A', value: 'x' }, { accessor: '', reason: 'r' }), 'accessor')
      await expectValidation(ctx.service.create({ name: 'A', value: 'x' }, { accessor: 'a', reason: ' ' }), 'reason')
      await expectValidation(ctx.service.create({ name: 'A', value: 'x' }, { accessor: 'a', reason: 'r'.repeat(201) }), 'reason')
      expect(await secretRows()).toEqual([])
    })
  })

  describe('replace', () => {
    test('re-seals with a fresh IV, bumps updated_at and rotated_at, keeps created_at and the description', async () => {
      await ctx.service.create({ name: 'A', value: 'one', description: 'kept' }, CLI_ACTOR)
      const [before] = await secretRows()
      clock.tick(60_000)
      const meta = await ctx.service.replace('A', { value: 'two' }, CLI_ACTOR)
      const [after] = await secretRows()
      expect(after!.iv).not.toEqual(before!.iv)
      expect(meta.created_at).toBe('2026-01-01T00:00:00.000Z')
      expect(meta.updated_at).toBe('2026-01-01T00:01:00.000Z')
      expect(meta.rotated_at).toBe('2026-01-01T00:01:00.000Z')
      expect(meta.description).toBe('kept')
      expect(await ctx.service.decrypt(await ctx.service.sealed('A'), 'cli:test', 'check')).toBe('two')
      expect((await auditRows()).map((r) => r.action)).toEqual(['create', 'replace', 'read'])
    })
    test('changes the description when given', async () => {
      await ctx.service.create({ name: 'A', value: 'one', description: 'old' }, CLI_ACTOR)
      expect((await ctx.service.replace('A', { value: 'two', description: 'new' }, CLI_ACTOR)).description).toBe('new')
    })
    test('refuses an unknown name with SecretNotFoundError and audits nothing', async () => {
      await expect(ctx.service.replace('NOPE', { value: 'x' }, CLI_ACTOR)).rejects.toBeInstanceOf(SecretNotFoundError)
      expect(await auditRows()).toEqual([])
    })
    test('refuses an empty value and leaves the old one', async () => {
      await ctx.service.create({ name: 'A', value: 'one' }, CLI_ACTOR)
      const before = await secretRows()
      await expectValidation(ctx.service.replace('A', { value: '' }, CLI_ACTOR), 'value')
      expect(await secretRows()).toEqual(before)
    })
  })

  describe('set', () => {
    test('creates, then replaces', async () => {
      expect((await ctx.service.set({ name: 'A', value: 'one' }, CLI_ACTOR)).created).toBe(true)
      expect((await ctx.service.set({ name: 'A', value: 'two' }, CLI_ACTOR)).created).toBe(false)
      expect(await ctx.service.decrypt(await ctx.service.sealed('A'), 'cli:test', 'check')).toBe('two')
    })
  })

  describe('delete', () => {
    test('removes the row for good and keeps its history', async () => {
      await ctx.service.create({ name: 'A', value: 'one' }, CLI_ACTOR)
      await ctx.service.delete('A', CLI_ACTOR)
      expect(await secretRows()).toEqual([])
      await expect(ctx.service.get('A')).rejects.toBeInstanceOf(SecretNotFoundError)
      const log = await ctx.service.accessLog('A', { limit: 10 })
      expect(log.map((e) => e.action)).toEqual(['delete', 'create'])
    })
    test('refuses an unknown name', async () => {
      await expect(ctx.service.delete('NOPE', CLI_ACTOR)).rejects.toBeInstanceOf(SecretNotFoundError)
      expect(await auditRows()).toEqual([])
    })
  })

  describe('assertKeysKnown (the start-up check)', () => {
    test('names every key id no configured key has, with its row count, and passes once they are configured', async () => {
      const { Keyring } = await import('../../src/crypto/keyring.ts')
      const { SecretsService } = await import('../../src/secrets/service.ts')
      const { randomKey, rawKey } = await import('../helpers/keys.ts')
      const [a, b, c] = [randomKey(), randomKey(), randomKey()]
      const under = async (cur: string, prev: string[] = []) =>
        new SecretsService({ db: ctx.store.db, keyring: await Keyring.fromRawKeys(rawKey(cur), prev.map(rawKey)) })
      // The writers also hold the context's key: the audit chain's key is sealed under it, and
      // a keyring that cannot open it cannot append (test/audit/rotation.test.ts).
      const contextKey = (ctx as SecretsContext & { env: Record<string, string> }).env.CLAUDE_HOOKS_SECRET_KEY!
      const serviceA = await under(a, [contextKey])
      await serviceA.create({ name: 'A1', value: 'x' }, CLI_ACTOR)
      await serviceA.create({ name: 'A2', value: 'x' }, CLI_ACTOR)
      const serviceB = await under(b, [contextKey])
      await serviceB.create({ name: 'B1', value: 'x' }, CLI_ACTOR)
      const onlyC = await under(c)
      const error = await caught(() => onlyC.assertKeysKnown())
      expect((error as { code?: string })?.code).toBe('config_error')
      expect((error as Error).message).toContain(`${serviceA.currentKeyId} (2 rows)`)
      expect((error as Error).message).toContain(`${serviceB.currentKeyId} (1 row)`)
      expect((error as Error).message).not.toContain(onlyC.currentKeyId)
      await expect((await under(c, [a, b])).assertKeysKnown()).resolves.toBeUndefined()
      // The memory context's own key seals nothing here: configured or not, it is no obstacle.
      await expect((await under(a, [b])).assertKeysKnown()).resolves.toBeUndefined()
    })
  })

  describe('list and get', () => {
    test('return metadata sorted by name and never a value, ciphertext, IV or tag', async () => {
      await ctx.service.create({ name: 'B', value: 'bee-value' }, CLI_ACTOR)
      await ctx.service.create({ name: 'A', value: 'ay-value' }, CLI_ACTOR)
      const list = await ctx.service.list()
      expect(list.map((s) => s.name)).toEqual(['A', 'B'])
      for (const item of [...list, await ctx.service.get('A')]) {
        expect(Object.keys(item).sort()).toEqual(
          ['created_at', 'description', 'key_current', 'key_id', 'name', 'rotated_at', 'updated_at', 'version'].sort(),
        )
        expect(JSON.stringify(item)).not.toContain('value')
      }
    })
  })

  describe('decrypt', () => {
    test('returns the plaintext after writing a read row with the accessor and reason', async () => {
      await ctx.service.create({ name: 'A', value: 'sekrit' }, CLI_ACTOR)
      expect(await ctx.service.decrypt(await ctx.service.sealed('A'), 'hook:render', 'mcp.json')).toBe('sekrit')
      const last = (await auditRows()).at(-1)!
      expect(last).toMatchObject({ secret_name: 'A', action: 'read', accessor: 'hook:render', reason: 'mcp.json', outcome: 'ok' })
    })

    test('requires an accessor and a reason of at most 200 characters', async () => {
      await ctx.service.create({ name: 'A', value: 'sekrit' }, CLI_ACTOR)
      const row = await ctx.service.sealed('A')
      await expectValidation(ctx.service.decrypt(row, '', 'why'), 'accessor')
      await expectValidation(ctx.service.decrypt(row, 'who', ''), 'reason')
      await expectValidation(ctx.service.decrypt(row, 'w'.repeat(201), 'why'), 'accessor')
      expect((await auditRows()).length).toBe(1)
    })

    test('a tampered row fails with DecryptError and leaves a read row with outcome error', async () => {
      await ctx.service.create({ name: 'A', value: 'sekrit' }, CLI_ACTOR)
      const row = await ctx.service.sealed('A')
      row.ciphertext[0]! ^= 1
      await expect(ctx.service.decrypt(row, 'who', 'why')).rejects.toBeInstanceOf(DecryptError)
      expect((await auditRows()).at(-1)).toMatchObject({ action: 'read', outcome: 'error' })
    })

    test('returns no plaintext when the audit table refuses writes (a real failure, by trigger)', async () => {
      await ctx.service.create({ name: 'A', value: 'sekrit' }, CLI_ACTOR)
      await makeAuditReadOnly(ctx)
      const row = await ctx.service.sealed('A')
      let result: unknown
      let error: unknown
      try {
        result = await ctx.service.decrypt(row, 'who', 'why')
      } catch (e) {
        error = e
      }
      expect(result).toBeUndefined()
      expect(error).toBeInstanceOf(AuditWriteError)
      expect(String((error as Error).message)).not.toContain('sekrit')
      await expect(ctx.service.resolveAll(['A'], { accessor: 'who', reason: 'why' })).rejects.toBeInstanceOf(AuditWriteError)
    })

    test('a mutation whose audit row cannot be written is rolled back', async () => {
      await makeAuditReadOnly(ctx)
      await expect(ctx.service.create({ name: 'A', value: 'x' }, CLI_ACTOR)).rejects.toThrow()
      expect(await secretRows()).toEqual([])
    })
  })

  describe('resolveAll (one render)', () => {
    test('decrypts each distinct name once and writes one read row per name', async () => {
      await ctx.service.create({ name: 'A', value: 'alpha' }, CLI_ACTOR)
      await ctx.service.create({ name: 'B', value: 'beta' }, CLI_ACTOR)
      const values = await ctx.service.resolveAll(['A', 'B', 'A', 'A'], { accessor: 'hook', reason: 'render' })
      expect(new TextDecoder().decode(values.get('A'))).toBe('alpha')
      expect(new TextDecoder().decode(values.get('B'))).toBe('beta')
      const reads = (await auditRows()).filter((r) => r.action === 'read')
      expect(reads.map((r) => r.secret_name).sort()).toEqual(['A', 'B'])
    })

    test('lists every missing name in one MissingSecretError and decrypts nothing', async () => {
      await ctx.service.create({ name: 'A', value: 'alpha' }, CLI_ACTOR)
      const error = await caught(() => ctx.service.resolveAll(['A', 'NOPE', 'ALSO_NOPE'], { accessor: 'hook', reason: 'render' }))
      expect(error).toBeInstanceOf(MissingSecretError)
      expect((error as MissingSecretError).names).toEqual(['NOPE', 'ALSO_NOPE'])
      expect((await auditRows()).filter((r) => r.action === 'read')).toEqual([])
    })
  })

  describe('access log pages', () => {
    test('newest first, limited, continuing below a given id', async () => {
      await ctx.service.create({ name: 'A', value: 'x' }, CLI_ACTOR)
      for (let i = 0; i < 4; i++) await ctx.service.replace('A', { value: `v${i}` }, CLI_ACTOR)
      const first = await ctx.service.accessLog('A', { limit: 2 })
      expect(first.map((e) => e.id)).toEqual([5, 4])
      const next = await ctx.service.accessLog('A', { limit: 2, beforeId: 4 })
      expect(next.map((e) => e.id)).toEqual([3, 2])
      expect(Object.keys(first[0]!).sort()).toEqual(['accessor', 'action', 'at', 'client_address', 'id', 'label', 'outcome', 'reason', 'token_id', 'version'])
      expect(first.map((e) => e.version)).toEqual([5, 4])
    })
  })
})
