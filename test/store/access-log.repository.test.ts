import { afterEach, beforeEach, expect, test } from 'bun:test'
import type { KyselyPlugin } from 'kysely'
import type { SecretsContext } from '../../src/context.ts'
import { lastReads } from '../../src/store/access-log.repository.ts'
import { CLI_ACTOR, memoryContext, testClock } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'

describeEachDialect('lastReads', (dialect) => {
  let ctx: SecretsContext
  let clock: ReturnType<typeof testClock>

  beforeEach(async () => {
    clock = testClock()
    ctx = await memoryContext({}, { now: () => clock.now() }, dialect)
  })
  afterEach(() => ctx.close())

  const read = async (names: string[], accessor: string) => {
    clock.tick()
    ;(await ctx.service.resolveAll(names, { accessor, reason: 'test' })).forEach((bytes) => bytes.fill(0))
  }

  test('gives each secret its newest successful read; never-read secrets are absent', async () => {
    for (const name of ['ALPHA', 'BETA', 'GAMMA']) await ctx.service.create({ name, value: `v-${name}` }, CLI_ACTOR)
    await read(['ALPHA', 'BETA'], 'cli:first')
    await read(['ALPHA'], 'operator:second')
    // A rotate and a replace after the read are changes, not reads.
    clock.tick()
    await ctx.service.rotate('ALPHA', CLI_ACTOR)
    await ctx.service.replace('BETA', { value: 'new' }, CLI_ACTOR)

    const reads = await lastReads(ctx.store.db)
    expect(Object.fromEntries(reads)).toEqual({
      ALPHA: { at: '2026-01-01T00:00:02.000Z', accessor: 'operator:second' },
      BETA: { at: '2026-01-01T00:00:01.000Z', accessor: 'cli:first' },
    })
  })

  test('a denied or failed read is no read, and a deleted secret created again starts with none', async () => {
    await ctx.service.create({ name: 'AGAIN', value: 'one' }, CLI_ACTOR)
    await read(['AGAIN'], 'cli:before-delete')
    await ctx.service.delete('AGAIN', CLI_ACTOR)
    clock.tick()
    await ctx.service.create({ name: 'AGAIN', value: 'two' }, CLI_ACTOR)
    const at = clock.now().toISOString()
    // Explicit ids after the last: the audit log numbers its rows itself (no sequence on PostgreSQL).
    const last = Number((await ctx.store.db.selectFrom('secret_access_log').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0)
    await ctx.store.db
      .insertInto('secret_access_log')
      .values([
        { id: last + 1, secret_name: 'AGAIN', action: 'read', accessor: 'client:nope', label: null, reason: 'r', outcome: 'denied', at, chain: null, chain_key_id: null, token_id: null, client_address: null },
        { id: last + 2, secret_name: 'AGAIN', action: 'read', accessor: 'cli:broken', label: null, reason: 'r', outcome: 'error', at, chain: null, chain_key_id: null, token_id: null, client_address: null },
      ])
      .execute()
    expect((await lastReads(ctx.store.db)).size).toBe(0)
  })

  test('one query whatever the number of secrets (no query per secret)', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `S_${String(i).padStart(2, '0')}`)
    for (const name of names) await ctx.service.create({ name, value: `v-${name}` }, CLI_ACTOR)
    await read(names, 'cli:bulk')
    let queries = 0
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        queries++
        return args.node
      },
      transformResult: async (args) => args.result,
    }
    const reads = await lastReads(ctx.store.db.withPlugin(counting))
    expect(reads.size).toBe(40)
    expect(queries).toBe(1)
  })
})
