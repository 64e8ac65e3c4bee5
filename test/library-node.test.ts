/**
 * The library as a Node 20 project gets it: `npm pack` of this repository,
 * unpacked into node_modules/claude-hooks-secrets of a scratch project
 * outside the repository, its dependencies linked from this repository's
 * node_modules (an `npm install` of the tarball would fetch and compile them
 * again, better-sqlite3 included; the linked tree is the one npm installed
 * here). Then `node` imports the package by name, which must resolve to
 * dist/index.js, and does real work; and `tsc` type-checks a .ts consumer
 * against the package's declarations, with NodeNext resolution and no
 * skipLibCheck.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { libraryBuildRuns, ROOT, runProcess } from './helpers/builds.ts'
import { tempDir } from './helpers/context.ts'
import { randomKey } from './helpers/keys.ts'

const runs = libraryBuildRuns('test/library-node.test.ts')
let tmp: ReturnType<typeof tempDir>
let project: string

const CONSUMER_MJS = `
import { encrypt, decrypt, render, secrets, closeSecrets, MissingSecretError } from 'claude-hooks-secrets'
const actor = { accessor: 'node-consumer', reason: 'library test' }
const sealed = await encrypt('sk-node', 'API_KEY')
const { service } = await secrets()
await service.create({ name: 'API_KEY', value: 'sk-node' }, actor)
const opened = await decrypt(await service.sealed('API_KEY'), 'node-consumer', 'open')
const rendered = await render('token=\${SECRET:API_KEY}', actor)
let missing = null
try { await render('\${SECRET:NOPE}', actor) } catch (e) { missing = { isClass: e instanceof MissingSecretError, code: e.code, names: e.names } }
await closeSecrets()
console.log(JSON.stringify({
  resolved: import.meta.resolve('claude-hooks-secrets'),
  node: process.versions.node,
  bun: typeof globalThis.Bun,
  sealed: { iv: sealed.iv.length, tag: sealed.auth_tag.length, keyId: /^[0-9a-f]{16}$/.test(sealed.key_id) },
  opened, rendered, missing,
}))
`

const CONSUMER_TS = `
import { render, encrypt, openSecrets, MissingSecretError, type Actor, type EncryptedValue } from 'claude-hooks-secrets'
const actor: Actor = { accessor: 'ts-consumer', reason: 'type check' }
const sealed: EncryptedValue = await encrypt('v', 'NAME')
const keyId: string = sealed.key_id
const out: string = await render('\${SECRET:NAME}', actor)
const ctx = await openSecrets({ CLAUDE_HOOKS_SECRET_KEY: 'k', DATABASE_URL: 'file::memory:' })
const names: readonly string[] = new MissingSecretError(['A']).names
await ctx.close()
export { keyId, out, names }
`

// The same consumer with one mistake: proves the declarations are read, not `any`.
const CONSUMER_BAD_TS = `
import { render } from 'claude-hooks-secrets'
const out: number = await render('x', { accessor: 'a', reason: 'r' })
export { out }
`

beforeAll(async () => {
  if (!runs) return
  tmp = tempDir()
  project = join(tmp.dir, 'consumer')
  const pkg = join(project, 'node_modules', 'claude-hooks-secrets')
  mkdirSync(pkg, { recursive: true })
  const pack = await runProcess(['npm', 'pack', '--silent', '--pack-destination', tmp.dir], { npm_config_cache: join(tmp.dir, 'npm-cache') }, undefined, ROOT)
  expect(pack.stderr).toBe('')
  expect(pack.code).toBe(0)
  const tarball = join(tmp.dir, pack.stdout.trim().split('\n').at(-1)!)
  const untar = await runProcess(['tar', '-xzf', tarball, '-C', pkg, '--strip-components=1'], {})
  expect(untar).toMatchObject({ code: 0, stderr: '' })
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry === '.bin' || entry === 'claude-hooks-secrets' || entry.startsWith('.')) continue
    symlinkSync(join(ROOT, 'node_modules', entry), join(project, 'node_modules', entry))
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { 'claude-hooks-secrets': `file:${tarball}` } }),
  )
  writeFileSync(join(project, 'consumer.mjs'), CONSUMER_MJS)
  writeFileSync(join(project, 'consumer.ts'), CONSUMER_TS)
  writeFileSync(join(project, 'consumer-bad.ts'), CONSUMER_BAD_TS)
  const tsconfig = (files: string[]) => ({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], lib: ['ES2023'] },
    files,
  })
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig(['consumer.ts'])))
  writeFileSync(join(project, 'tsconfig.bad.json'), JSON.stringify(tsconfig(['consumer-bad.ts'])))
})
afterAll(() => tmp?.cleanup())

describe.skipIf(!runs)('the packed package in a scratch project (Node 20 from dist, Bun and Deno from the sources)', () => {
  test('node imports it by name from dist/index.js, seals and opens a secret, renders a placeholder, refuses a missing one', async () => {
    const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${join(tmp.dir, 'consumer.db')}` }
    const run = await runProcess(['node', 'consumer.mjs'], env, undefined, project)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const out = JSON.parse(run.stdout)
    expect(out).toEqual({
      resolved: `file://${join(project, 'node_modules/claude-hooks-secrets/dist/index.js')}`,
      node: expect.stringMatching(/^2\d\./),
      bun: 'undefined',
      sealed: { iv: 12, tag: 16, keyId: true },
      opened: 'sk-node',
      rendered: 'token=sk-node',
      missing: { isClass: true, code: 'missing_secret', names: ['NOPE'] },
    })
  })

  test('Bun, from the same installed package, keeps the sources (the "bun" condition)', () => {
    expect(Bun.resolveSync('claude-hooks-secrets', project)).toBe(join(project, 'node_modules/claude-hooks-secrets/src/index.ts'))
  })

  test('Deno, from the same installed package, keeps the sources (the "deno" condition)', async () => {
    writeFileSync(join(project, 'resolve.mjs'), "console.log(import.meta.resolve('claude-hooks-secrets'))\n")
    const deno = await runProcess([join(ROOT, 'node_modules/.bin/deno'), 'run', '--no-prompt', 'resolve.mjs'], { DENO_NO_UPDATE_CHECK: '1' }, undefined, project)
    expect(deno).toMatchObject({ code: 0, stdout: `file://${join(project, 'node_modules/claude-hooks-secrets/src/index.ts')}\n` })
  })

  test('a .ts consumer type-checks against the declarations (NodeNext, no skipLibCheck), and a wrong type is refused', async () => {
    const tsc = join(ROOT, 'node_modules/.bin/tsc')
    const [good, bad] = await Promise.all([
      runProcess([tsc, '-p', 'tsconfig.json'], {}, undefined, project),
      runProcess([tsc, '-p', 'tsconfig.bad.json'], {}, undefined, project),
    ])
    expect(good.stdout).toBe('')
    expect(good.code).toBe(0)
    expect(bad.code).not.toBe(0)
    expect(bad.stdout).toContain("consumer-bad.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.")
  })
})
