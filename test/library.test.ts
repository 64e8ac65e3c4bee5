import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { tempDir } from './helpers/context.ts'
import { randomKey } from './helpers/keys.ts'

let tmp: ReturnType<typeof tempDir>
let lib: typeof import('../src/index.ts')
const saved = { key: process.env.CLAUDE_HOOKS_SECRET_KEY, url: process.env.DATABASE_URL }

beforeAll(async () => {
  tmp = tempDir()
  process.env.CLAUDE_HOOKS_SECRET_KEY = randomKey()
  process.env.DATABASE_URL = `file:${join(tmp.dir, 'lib.db')}`
  lib = await import('../src/index.ts')
  const { service } = await lib.secrets()
  await service.create({ name: 'API_KEY', value: 'sk-lib' }, { accessor: 'test', reason: 'setup' })
})
afterAll(async () => {
  await lib.closeSecrets()
  process.env.CLAUDE_HOOKS_SECRET_KEY = saved.key
  process.env.DATABASE_URL = saved.url
  tmp.cleanup()
})

describe('library exports (src/index.ts)', () => {
  test('encrypt(plain, name) gives the documented shape under the current key', async () => {
    const sealed = await lib.encrypt('v', 'NAME')
    const { keyring } = await lib.secrets()
    expect(sealed.iv.length).toBe(12)
    expect(sealed.auth_tag.length).toBe(16)
    expect(sealed.key_id).toBe(keyring.current.id)
  })

  test('decrypt(row, accessor, reason) returns the value and leaves a read row', async () => {
    const { service, store } = await lib.secrets()
    expect(await lib.decrypt(await service.sealed('API_KEY'), 'lib-test', 'decrypt export')).toBe('sk-lib')
    const last = await store.db.selectFrom('secret_access_log').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(last).toMatchObject({ secret_name: 'API_KEY', action: 'read', accessor: 'lib-test', reason: 'decrypt export' })
  })

  test('render(body, actor) substitutes and audits each distinct name once', async () => {
    const { store } = await lib.secrets()
    const before = (await store.db.selectFrom('secret_access_log').selectAll().execute()).length
    expect(await lib.render('a=${SECRET:API_KEY} b=${SECRET:API_KEY}', { accessor: 'hook', reason: 'render export' })).toBe('a=sk-lib b=sk-lib')
    expect((await store.db.selectFrom('secret_access_log').selectAll().execute()).length).toBe(before + 1)
  })

  test('render refuses missing names all at once, and malformed placeholders with a position', async () => {
    const missing = lib.render('${SECRET:NOPE} ${SECRET:GONE}', { accessor: 'hook', reason: 'r' })
    await expect(missing).rejects.toBeInstanceOf(lib.MissingSecretError)
    await expect(missing).rejects.toMatchObject({ names: ['NOPE', 'GONE'], code: 'missing_secret' })
    await expect(lib.render('\n  ${SECRET:bad}', { accessor: 'hook', reason: 'r' })).rejects.toMatchObject({
      code: 'malformed_placeholder',
      line: 2,
      column: 3,
    })
  })

  test('secretEnv(templates, actor) renders each variable, one audit row per distinct secret across all of them', async () => {
    const { service, store } = await lib.secrets()
    await service.create({ name: 'DB_PW', value: 'pw-lib' }, { accessor: 'test', reason: 'setup' })
    const rows = () => store.db.selectFrom('secret_access_log').selectAll().orderBy('id').execute()
    const before = (await rows()).length
    const env = await lib.secretEnv(
      { A: '${SECRET:API_KEY}', B: 'x-${SECRET:API_KEY|base64}', URL: 'pg://u:${SECRET:DB_PW}@h', PLAIN: 'no $ecrets' },
      { accessor: 'hook', reason: 'start child' },
    )
    expect(env).toEqual({ A: 'sk-lib', B: 'x-c2stbGli', URL: 'pg://u:pw-lib@h', PLAIN: 'no $ecrets' })
    const reads = (await rows()).slice(before)
    expect(reads.map((r) => [r.secret_name, r.action, r.accessor, r.reason])).toEqual([
      ['API_KEY', 'read', 'hook', 'start child'],
      ['DB_PW', 'read', 'hook', 'start child'],
    ])
  })

  test('secretEnv refuses every missing name before decrypting any, and names the variable of a malformed template', async () => {
    const { store } = await lib.secrets()
    const count = async () => (await store.db.selectFrom('secret_access_log').selectAll().execute()).length
    const before = await count()
    const missing = lib.secretEnv({ A: '${SECRET:API_KEY}', B: '${SECRET:NOPE}', C: '${SECRET:GONE}' }, { accessor: 'hook', reason: 'r' })
    await expect(missing).rejects.toMatchObject({ names: ['NOPE', 'GONE'], code: 'missing_secret' })
    await expect(lib.secretEnv({ OK: 'x', BAD: '${SECRET:bad}' }, { accessor: 'hook', reason: 'r' })).rejects.toMatchObject({
      code: 'malformed_placeholder',
      message: expect.stringMatching(/^BAD: malformed placeholder at line 1, column 1/),
    })
    expect(await count()).toBe(before)
  })

  test('renderStream renders a Web stream and errors on a missing secret', async () => {
    const stream = (text: string) => new Response(text).body!
    expect(await new Response(lib.renderStream(stream('k=${SECRET:API_KEY}'), { accessor: 'hook', reason: 's' })).text()).toBe('k=sk-lib')
    await expect(new Response(lib.renderStream(stream('k=${SECRET:NOPE}'), { accessor: 'hook', reason: 's' })).text()).rejects.toBeInstanceOf(
      lib.MissingSecretError,
    )
  })

  test('filters and the JSON context: render and renderStream take { format }, and the filters are exported', async () => {
    const actor = { accessor: 'hook', reason: 'json' }
    expect(await lib.render('{"k": "${SECRET:API_KEY|base64}", "s": ${SECRET:API_KEY|raw}}', actor)).toBe('{"k": "c2stbGli", "s": sk-lib}')
    await expect(lib.render('{"k": ${SECRET:API_KEY}}', actor, { format: 'json' })).rejects.toMatchObject({ code: 'malformed_placeholder', line: 1, column: 7 })
    const stream = new Response('["${SECRET:API_KEY|sh}"]').body!
    expect(await new Response(lib.renderStream(stream, actor, { format: 'json' })).text()).toBe(`["'sk-lib'"]`)
    expect(lib.FILTER_NAMES).toEqual(['raw', 'json', 'sh', 'url', 'base64'])
    expect(lib.applyFilterToString('json', 'a"\u2028')).toBe('a\\"\\u2028')
    expect(new TextDecoder().decode(lib.quoteShell(new TextEncoder().encode("it's")))).toBe("'it'\\''s'")
    expect(lib.isFilterName('sh')).toBe(true)
    expect(lib.isFilterName('hex')).toBe(false)
  })
})
