import { afterAll, beforeAll, expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openSecrets } from '../../src/context.ts'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { randomKey } from '../helpers/keys.ts'

// --accessor and --reason are refused as the flags they are (exit 2, named), before anything is read or written:
// the library's own check said "label must not be empty" (its name for --accessor) with exit 1.
let tmp: ReturnType<typeof tempDir>
let env: Record<string, string>
let artifact: string
beforeAll(async () => {
  tmp = tempDir()
  env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${join(tmp.dir, 's.db')}` }
  artifact = join(tmp.dir, 'in.yaml')
  writeFileSync(artifact, 'token: ${SECRET:TOKEN}\n')
  expect((await runCli(['set', 'TOKEN'], { env, stdin: 'SENTINEL-actor-flags' })).code).toBe(0)
})
afterAll(() => tmp.cleanup())

async function auditRows(): Promise<number> {
  const ctx = await openSecrets(env)
  try {
    return (await ctx.store.db.selectFrom('secret_access_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n
  } finally {
    await ctx.close()
  }
}

const cases: Array<[string, string[], string | undefined, string]> = [
  ['render, an empty --accessor', ['render', '--accessor', '', '--reason', 'r', 'IN'], undefined, 'secrets render: --accessor must not be empty\n'],
  ['render, a blank --reason', ['render', '--accessor', 'ci', '--reason', '   ', 'IN'], undefined, 'secrets render: --reason must not be empty\n'],
  ['render, a control character in --accessor', ['render', '--accessor', 'a\nb', '--reason', 'r', 'IN'], undefined, 'secrets render: --accessor must not contain control characters'],
  ['get, an empty --reason', ['get', 'TOKEN', '--reason', ''], undefined, 'secrets get: --reason must not be empty\n'],
  ['get, an empty --accessor', ['get', 'TOKEN', '--reason', 'r', '--accessor', ''], undefined, 'secrets get: --accessor must not be empty\n'],
  ['run, an empty --reason', ['run', '--reason', '', '--env', 'T=${SECRET:TOKEN}', '--', 'true'], undefined, 'secrets run: --reason must not be empty\n'],
  ['set, an empty --reason', ['set', 'TOKEN', '--reason', ''], 'SENTINEL-other', 'secrets set: --reason must not be empty\n'],
  ['delete, an empty --reason', ['delete', 'TOKEN', '--reason', ''], undefined, 'secrets delete: --reason must not be empty\n'],
  ['rotate, an empty --reason', ['rotate', 'TOKEN', '--reason', ''], undefined, 'secrets rotate: --reason must not be empty\n'],
]
for (const [what, args, stdin, line] of cases) {
  test(what, async () => {
    const before = await auditRows()
    const r = await runCli(args.map((a) => (a === 'IN' ? artifact : a)), { env, ...(stdin === undefined ? {} : { stdin }) })
    expect(r.stderr).toStartWith(line)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(await auditRows()).toBe(before)
  })
}

test('a good --accessor and --reason still render', async () => {
  const out = join(tmp.dir, 'out.yaml')
  const before = await auditRows()
  const r = await runCli(['render', '--accessor', 'ci', '--reason', 'deploy', artifact, out], { env })
  expect(r).toMatchObject({ code: 0, stderr: '' })
  expect(readFileSync(out, 'utf8')).toBe('token: SENTINEL-actor-flags\n')
  expect(await auditRows()).toBe(before + 1)
})
