/**
 * bin/secrets runs the prebuilt bundle (dist/bun) only while the sources are
 * the ones it was built from; a stale bundle is never run. Each test works
 * on a copy of the package (bin, src, migrations, package.json; node_modules
 * linked) whose dist/bun/cli.js is a stand-in that says where it came from.
 */
import { Database } from 'bun:sqlite'
import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUNDLE_DIR, BUNDLE_LISTING, BUNDLES, LAUNCHER, sourceListing } from '../../../src/cli/bundle/launch.ts'
import { ROOT } from '../../helpers/builds.ts'

const STAND_IN = 'console.log("from the bundle " + JSON.stringify(process.argv.slice(2)))\n'
/** A stand-in for one bundle that also says which it is. */
const standIn = (file: string) => `console.log(${JSON.stringify(`from the bundle ${file} `)} + JSON.stringify(process.argv.slice(2)))\n`
let copy: string

/** What a listing records of the file at `path` (src/cli/bundle/launch.ts). */
function statLine(path: string): string {
  const s = statSync(path)
  return `f ${s.size} ${s.mtimeMs} ${s.ctimeMs}`
}

async function secrets(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return secretsIn({}, ...args)
}

async function secretsIn(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { CLAUDE_HOOKS_SECRETS_URL: _url, ...inherited } = process.env
  const proc = Bun.spawn([join(copy, 'bin/secrets'), ...args], { env: { ...inherited, ...env }, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, stdout, stderr }
}

/** A stand-in bundle recorded as built from the copy's sources as they are now. */
function freshStandIn(): void {
  mkdirSync(join(copy, BUNDLE_DIR), { recursive: true })
  writeFileSync(join(copy, BUNDLE_DIR, 'cli.js'), STAND_IN)
  for (const file of Object.values(BUNDLES)) if (file !== 'cli.js') writeFileSync(join(copy, BUNDLE_DIR, file), standIn(file))
  writeFileSync(join(copy, BUNDLE_DIR, BUNDLE_LISTING), sourceListing(copy))
}

async function ranBundle(): Promise<boolean> {
  const { code, stdout } = await secrets('keygen')
  expect(code).toBe(0)
  if (stdout.startsWith('from the bundle ["keygen"]')) return true
  // The sources ran: keygen printed a key.
  expect(stdout).toMatch(/^[A-Za-z0-9+/]{43}=\n$/)
  return false
}

beforeEach(() => {
  copy = mkdtempSync(join(tmpdir(), 'chs-bundle-'))
  for (const part of ['bin', 'src', 'migrations', 'package.json']) cpSync(join(ROOT, part), join(copy, part), { recursive: true })
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'))
})
afterEach(() => rmSync(copy, { recursive: true, force: true }))

describe('bin/secrets and the prebuilt bundle', () => {
  test('a fresh bundle runs, with the arguments', async () => {
    freshStandIn()
    expect(await ranBundle()).toBe(true)
    const { stdout } = await secrets('list', '--reason', 'x y')
    expect(stdout).toBe('from the bundle ["list","--reason","x y"]\n')
  })

  test('render, get and run run the render bundle; with CLAUDE_HOOKS_SECRETS_URL set, the client one; without them, the sources', async () => {
    freshStandIn()
    expect((await secrets('render', '--reason', 'x y')).stdout).toBe('from the bundle render.js ["render","--reason","x y"]\n')
    const url = { CLAUDE_HOOKS_SECRETS_URL: 'http://127.0.0.1:1' }
    expect((await secretsIn(url, 'render', '--help')).stdout).toBe('from the bundle client.js ["render","--help"]\n')
    expect((await secretsIn(url, 'get', 'A')).stdout).toBe('from the bundle client.js ["get","A"]\n')
    expect((await secretsIn(url, 'run', '--', 'true')).stdout).toBe('from the bundle client.js ["run","--","true"]\n')
    // get and run without client mode: the render bundle, as render.
    expect((await secrets('get', 'A')).stdout).toBe('from the bundle render.js ["get","A"]\n')
    expect((await secrets('run', '--', 'true')).stdout).toBe('from the bundle render.js ["run","--","true"]\n')
    // Set but empty is not client mode (client-mode.ts).
    expect((await secretsIn({ CLAUDE_HOOKS_SECRETS_URL: '' }, 'render')).stdout).toBe('from the bundle render.js ["render"]\n')
    // `list` in client mode is not a render: the full bundle.
    expect((await secretsIn({ CLAUDE_HOOKS_SECRETS_URL: 'http://127.0.0.1:1' }, 'list')).stdout).toBe('from the bundle ["list"]\n')
    unlinkSync(join(copy, BUNDLE_DIR, 'render.js'))
    const sources = await secrets('render', '--help')
    expect(sources.code).toBe(0)
    expect(sources.stdout).toContain('Usage: secrets render')
  })

  test('no bundle, or no listing: the sources run', async () => {
    expect(await ranBundle()).toBe(false)
    freshStandIn()
    unlinkSync(join(copy, BUNDLE_DIR, BUNDLE_LISTING))
    expect(await ranBundle()).toBe(false)
  })

  test('an edited source file makes it stale', async () => {
    freshStandIn()
    const file = join(copy, 'src/cli/commands/keygen.ts')
    writeFileSync(file, `${readFileSync(file, 'utf8')}// edited\n`)
    expect(await ranBundle()).toBe(false)
  })

  test('a file put back with the same size and an older time makes it stale', async () => {
    freshStandIn()
    const file = join(copy, 'src/errors.ts')
    const before = statSync(file)
    utimesSync(file, new Date(before.atimeMs - 86_400_000), new Date(before.mtimeMs - 86_400_000))
    expect(await ranBundle()).toBe(false)
  })

  test('a new or a deleted file under src or migrations makes it stale', async () => {
    freshStandIn()
    writeFileSync(join(copy, 'migrations/9999_new.ts'), 'export {}\n')
    expect(await ranBundle()).toBe(false)
    freshStandIn()
    unlinkSync(join(copy, 'src/cli/table.ts'))
    expect(await ranBundle()).toBe(false)
  })

  test('a new file or directory anywhere under src makes it stale (the launcher reads no directory: their times show it)', async () => {
    freshStandIn()
    writeFileSync(join(copy, 'src/cli/render/new.ts'), 'export {}\n')
    expect(await ranBundle()).toBe(false)
    freshStandIn()
    mkdirSync(join(copy, 'src/cli/new'))
    expect(await ranBundle()).toBe(false)
    freshStandIn()
    writeFileSync(join(copy, 'src/cli/new/x.ts'), 'export {}\n')
    expect(await ranBundle()).toBe(false)
    freshStandIn()
    renameSync(join(copy, 'src/cli/new/x.ts'), join(copy, 'src/cli/new/y.ts'))
    expect(await ranBundle()).toBe(false)
  })

  test('a file edited to the same size and given back its exact modification time makes it stale', async () => {
    const file = join(copy, 'src/errors.ts')
    // A time the test can set back exactly (Date has milliseconds only).
    utimesSync(file, 1_700_000_000, 1_700_000_000)
    freshStandIn()
    const before = statSync(file)
    const text = readFileSync(file, 'utf8')
    writeFileSync(file, `${text.slice(0, -1)} `)
    utimesSync(file, 1_700_000_000, 1_700_000_000)
    expect(statSync(file).size).toBe(before.size)
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs)
    expect(await ranBundle()).toBe(false)
  })

  test('a file replaced by a rename, with the same size and modification time, makes it stale', async () => {
    const file = join(copy, 'src/errors.ts')
    utimesSync(file, 1_700_000_000, 1_700_000_000)
    freshStandIn()
    const before = statSync(file)
    const text = readFileSync(file, 'utf8')
    writeFileSync(join(copy, 'errors.ts.new'), `${text.slice(0, -1)} `)
    utimesSync(join(copy, 'errors.ts.new'), 1_700_000_000, 1_700_000_000)
    renameSync(join(copy, 'errors.ts.new'), file)
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs)
    expect(await ranBundle()).toBe(false)
  })

  test('a listing cut short, or not one the build wrote, runs the sources', async () => {
    freshStandIn()
    const listing = join(copy, BUNDLE_DIR, BUNDLE_LISTING)
    const whole = readFileSync(listing, 'utf8')
    const lines = whole.split('\n')
    for (const cut of [lines.slice(0, 1), lines.slice(0, 40), lines.slice(0, -2)]) {
      writeFileSync(listing, `${cut.join('\n')}\n`)
      expect(await ranBundle()).toBe(false)
    }
    writeFileSync(listing, whole.replace(/\nend \d+\n$/, '\nend 1\n'))
    expect(await ranBundle()).toBe(false)
    writeFileSync(listing, '')
    expect(await ranBundle()).toBe(false)
    writeFileSync(listing, whole)
    expect(await ranBundle()).toBe(true)
  })

  test('a changed package.json or another Bun makes it stale', async () => {
    freshStandIn()
    writeFileSync(join(copy, 'package.json'), `${readFileSync(join(copy, 'package.json'), 'utf8')} `)
    expect(await ranBundle()).toBe(false)
    freshStandIn()
    const listing = join(copy, BUNDLE_DIR, BUNDLE_LISTING)
    writeFileSync(listing, readFileSync(listing, 'utf8').replace(/^bun \S+/, 'bun 0.0.1'))
    expect(await ranBundle()).toBe(false)
  })

  test('each bundle depends on the files it was built from, on every directory and on the manifests; not on the others', async () => {
    const build = Bun.spawn([process.execPath, join(ROOT, 'scripts/build-cli.ts'), copy], { stdout: 'pipe', stderr: 'pipe' })
    expect(await build.exited).toBe(0)
    for (const file of Object.values(BUNDLES)) {
      writeFileSync(join(copy, BUNDLE_DIR, file), file === 'cli.js' ? STAND_IN : standIn(file))
      rmSync(join(copy, BUNDLE_DIR, `${file}.jsc`))
    }
    const listing = join(copy, BUNDLE_DIR, BUNDLE_LISTING)
    const built = readFileSync(listing, 'utf8')
    const render = async () => (await secrets('render', '--help')).stdout.startsWith('from the bundle render.js')
    expect(await render()).toBe(true)
    expect(await ranBundle()).toBe(true)
    // keygen.ts is in the full bundle only: an edit to it leaves the render bundle running.
    const keygen = join(copy, 'src/cli/commands/keygen.ts')
    writeFileSync(keygen, `${readFileSync(keygen, 'utf8')}// edited\n`)
    expect(await ranBundle()).toBe(false)
    expect(await render()).toBe(true)
    // render.ts is in both.
    const command = join(copy, 'src/cli/commands/render.ts')
    writeFileSync(command, `${readFileSync(command, 'utf8')}// edited\n`)
    expect(await render()).toBe(false)
    // Recorded as they are now, both run again; a new file, even one no bundle holds, makes every bundle stale.
    writeFileSync(listing, built.replace(/^(src\/cli\/commands\/(?:keygen|render)\.ts)\t[^\t]+/gm, (_, path: string) => `${path}\t${statLine(join(copy, path))}`))
    expect(await render()).toBe(true)
    expect(await ranBundle()).toBe(true)
    writeFileSync(join(copy, 'src/cli/commands/unheard-of.ts'), 'export {}\n')
    expect(await render()).toBe(false)
    expect(await ranBundle()).toBe(false)
  })

  test('bin/secrets runs the built launcher (dist/bun/launch.js) when there is one', async () => {
    freshStandIn()
    expect(await ranBundle()).toBe(true)
    writeFileSync(join(copy, BUNDLE_DIR, LAUNCHER), 'console.log("from the launcher " + JSON.stringify(process.argv.slice(2)))\n')
    const { code, stdout } = await secrets('keygen', 'x y')
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'from the launcher ["keygen","x y"]\n' })
  })

  test('serve never runs the bundle', async () => {
    freshStandIn()
    const { code, stdout } = await secrets('serve', '--help')
    expect(code).toBe(0)
    expect(stdout).not.toContain('from the bundle')
    expect(stdout).toContain('Usage: secrets serve')
  })

  test('scripts/build-cli.ts builds a bundle that runs and is fresh; an edit after it makes it stale', async () => {
    const build = Bun.spawn([process.execPath, join(ROOT, 'scripts/build-cli.ts'), copy], { stdout: 'pipe', stderr: 'pipe' })
    expect(await build.exited).toBe(0)
    expect(existsSync(join(copy, BUNDLE_DIR, 'cli.js'))).toBe(true)
    expect(existsSync(join(copy, BUNDLE_DIR, LAUNCHER))).toBe(true)
    // The listing of the sources as they are, each source file marked with the bundles built from it.
    const untagged = (listing: string) => listing.replace(/\t[^\t\n]*$/gm, '')
    const built = readFileSync(join(copy, BUNDLE_DIR, BUNDLE_LISTING), 'utf8')
    expect(untagged(built)).toBe(untagged(sourceListing(copy)))
    expect(built).toMatch(/^src\/cli\/commands\/render\.ts\t[^\t]+\tcrk$/m)
    expect(built).toMatch(/^src\/cli\/render\/spool\.ts\t[^\t]+\tcr$/m)
    expect(built).toMatch(/^src\/cli\/commands\/keygen\.ts\t[^\t]+\tc$/m)
    expect(built).toMatch(/^src\/cli\/bundle\/launch\.ts\t[^\t]+\t\*$/m)
    expect(built).toMatch(/^src\/cli\/render\td [^\t]+\t\*$/m)
    // The real bundle: same behaviour as the sources.
    expect(await ranBundle()).toBe(false)
    const help = await secrets('--help')
    expect(help.stdout).toContain('Usage: secrets <command>')
    // The render bundles: the same render help; the client one holds neither the store nor the local renderer.
    const renderHelp = (await secrets('render', '--help')).stdout
    expect(renderHelp).toContain('Usage: secrets render')
    expect((await secretsIn({ CLAUDE_HOOKS_SECRETS_URL: 'http://127.0.0.1:1' }, 'render', '--help')).stdout).toBe(renderHelp)
    const client = readFileSync(join(copy, BUNDLE_DIR, BUNDLES.client), 'utf8')
    expect(client).not.toContain('journal_mode')
    expect(client).toContain('internal: src/context.ts is not in the client bundle')
    expect(client).toContain('internal: src/cli/render/render-file.ts is not in the client bundle')
    expect(client).toContain('internal: src/cli/commands/set.ts is not in the client bundle')
    expect(readFileSync(join(copy, BUNDLE_DIR, BUNDLES.render), 'utf8')).toContain('journal_mode')
    // Client mode refusals come from the client bundle as from the sources: a URL without a token is exit 78.
    const noToken = await secretsIn({ CLAUDE_HOOKS_SECRETS_URL: 'http://127.0.0.1:1' }, 'render', '--reason', 'r')
    expect(noToken.code).toBe(78)
    expect(noToken.stderr).toContain('CLAUDE_HOOKS_SECRETS_URL is set but no token')
    // A client render through the client bundle: one POST /render with the token, the answer written to OUT.
    const token = `chs_${'A'.repeat(43)}`
    const seen: string[] = []
    let answer = new Response('rendered\n')
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: async (req) => {
        seen.push(`${req.method} ${new URL(req.url).pathname}${new URL(req.url).search} ${req.headers.get('authorization') === `Bearer ${token}`} ${req.headers.get('x-secrets-reason')} ${await req.text()}`)
        return answer
      },
    })
    try {
      writeFileSync(join(copy, 'token'), token, { mode: 0o600 })
      writeFileSync(join(copy, 'in.yaml'), 'a: ${SECRET:A}\n')
      const env = { CLAUDE_HOOKS_SECRETS_URL: `http://127.0.0.1:${server.port}`, CLAUDE_HOOKS_SECRETS_TOKEN_FILE: join(copy, 'token') }
      const rendered = await secretsIn(env, 'render', '--reason', 'bundle test', join(copy, 'in.yaml'), join(copy, 'out.yaml'))
      expect(rendered).toEqual({ code: 0, stdout: '', stderr: '' })
      expect(readFileSync(join(copy, 'out.yaml'), 'utf8')).toBe('rendered\n')
      expect(seen).toEqual(['POST /render?format=raw true bundle test a: ${SECRET:A}\n'])
      // get and run through the client bundle: POST /resolve each; the value on stdout, in the command's environment.
      seen.length = 0
      answer = Response.json({ values: { A: 'alpha-value' } })
      expect(await secretsIn(env, 'get', 'A', '--reason', 'bundle test')).toEqual({ code: 0, stdout: 'alpha-value', stderr: '' })
      answer = Response.json({ values: { A: 'alpha-value' } })
      const probe = join(copy, 'probe.txt')
      const ran = await secretsIn(env, 'run', '--env', 'X=${SECRET:A}', '--reason', 'bundle test', '--', 'sh', '-c', `printf %s "$X" > ${probe}; echo "saw $X"`)
      expect(ran).toEqual({ code: 0, stdout: 'saw <concealed>\n', stderr: '' })
      expect(readFileSync(probe, 'utf8')).toBe('alpha-value')
      expect(seen).toEqual(['POST /resolve true bundle test {"names":["A"]}', 'POST /resolve true bundle test {"names":["A"]}'])
    } finally {
      server.stop(true)
    }
    // Replace it with the stand-in, keeping the listing: it runs while fresh...
    writeFileSync(join(copy, BUNDLE_DIR, 'cli.js'), STAND_IN)
    expect(await ranBundle()).toBe(true)
    // ...and not after an edit: the built launcher runs the sources then, serve always.
    writeFileSync(join(copy, 'src/cli/exit-codes.ts'), `${readFileSync(join(copy, 'src/cli/exit-codes.ts'), 'utf8')}\n`)
    expect(await ranBundle()).toBe(false)
    const serve = await secrets('serve', '--help')
    expect(serve.code).toBe(0)
    expect(serve.stdout).toContain('Usage: secrets serve')
  })
})

describe('a built package moved or copied', () => {
  test('its built launcher checks and runs its own bundles, never those of the tree it was built in', async () => {
    const build = Bun.spawn([process.execPath, join(ROOT, 'scripts/build-cli.ts'), copy], { stdout: 'pipe', stderr: 'pipe' })
    expect(await build.exited).toBe(0)
    const moved = mkdtempSync(join(tmpdir(), 'chs-bundle-moved-'))
    try {
      for (const part of ['bin', 'src', 'migrations', 'package.json', 'dist']) cpSync(join(copy, part), join(moved, part), { recursive: true })
      symlinkSync(join(ROOT, 'node_modules'), join(moved, 'node_modules'))
      // The tree it was built in keeps a fresh listing, with a stand-in for its bundle; the moved one has its own.
      writeFileSync(join(copy, BUNDLE_DIR, 'cli.js'), 'console.log("from the tree it was built in")\n')
      rmSync(join(copy, BUNDLE_DIR, 'cli.js.jsc'))
      writeFileSync(join(moved, BUNDLE_DIR, 'cli.js'), 'console.log("from the moved bundle")\n')
      rmSync(join(moved, BUNDLE_DIR, 'cli.js.jsc'))
      writeFileSync(join(moved, BUNDLE_DIR, BUNDLE_LISTING), sourceListing(moved))
      const run = Bun.spawn([join(moved, 'bin/secrets'), 'keygen'], { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
      expect(await new Response(run.stdout).text()).toBe('from the moved bundle\n')
      expect(await run.exited).toBe(0)
      // Stale there (an edit in the moved tree): the moved tree's sources run, whatever the other tree holds.
      writeFileSync(join(moved, 'src/cli/exit-codes.ts'), `${readFileSync(join(moved, 'src/cli/exit-codes.ts'), 'utf8')}\n`)
      const stale = Bun.spawn([join(moved, 'bin/secrets'), 'keygen'], { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
      expect(await new Response(stale.stdout).text()).toMatch(/^[A-Za-z0-9+/]{43}=\n$/)
      expect(await stale.exited).toBe(0)
    } finally {
      rmSync(moved, { recursive: true, force: true })
    }
  })
})

describe('the render bundle and Kysely', () => {
  test('holds no Kysely: a local render, --check, get or run on a ready SQLite store never loads dist/bun/kysely.js; a store that needs the usual open loads it', async () => {
    const build = Bun.spawn([process.execPath, join(ROOT, 'scripts/build-cli.ts'), copy], { stdout: 'pipe', stderr: 'pipe' })
    expect(await build.exited).toBe(0)
    const render = readFileSync(join(copy, BUNDLE_DIR, BUNDLES.render), 'utf8')
    const kysely = readFileSync(join(copy, BUNDLE_DIR, 'kysely.js'), 'utf8')
    // Kysely's migration lock table is named in its migrator only.
    expect(kysely).toContain('kysely_migration_lock')
    expect(render).not.toContain('kysely_migration_lock')
    expect(readFileSync(join(copy, BUNDLE_DIR, BUNDLES.cli), 'utf8')).toContain('kysely_migration_lock')

    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    const env = { CLAUDE_HOOKS_SECRET_KEY: key, DATABASE_URL: `file:${join(copy, 'ready.db')}` }
    const set = Bun.spawn([join(copy, 'bin/secrets'), 'set', 'A'], { env: { ...process.env, ...env }, stdin: new Blob(['a-value']), stdout: 'pipe', stderr: 'pipe' })
    expect(await set.exited).toBe(0)
    writeFileSync(join(copy, 'in.yaml'), 'a: ${SECRET:A}\n')
    writeFileSync(join(copy, 'empty.yaml'), 'nothing\n')

    // Kysely's file replaced by one that says it was loaded (its bytecode removed, so the text is what runs).
    const real = { js: kysely, jsc: readFileSync(join(copy, BUNDLE_DIR, 'kysely.js.jsc')) }
    unlinkSync(join(copy, BUNDLE_DIR, 'kysely.js.jsc'))
    writeFileSync(join(copy, BUNDLE_DIR, 'kysely.js'), 'throw new Error("dist/bun/kysely.js was loaded")\n')
    const args = ['render', '--accessor', 'bundle', '--reason', 'kysely test']
    expect(await secretsIn(env, ...args, join(copy, 'in.yaml'), join(copy, 'out.yaml'))).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(readFileSync(join(copy, 'out.yaml'), 'utf8')).toBe('a: a-value\n')
    // --check on it too: the names only, no audit row.
    const auditRows = () => {
      const db = new Database(join(copy, 'ready.db'), { readonly: true })
      try {
        return (db.query('select count(*) as n from secret_access_log').get() as { n: number }).n
      } finally {
        db.close()
      }
    }
    const rows = auditRows()
    writeFileSync(join(copy, 'two.yaml'), 'a: ${SECRET:A}\nb: ${SECRET:B}\n')
    const checked = await secretsIn(env, 'render', '--check', join(copy, 'in.yaml'))
    expect(checked.code).toBe(0)
    expect(checked.stdout).toMatch(/^NAME\s+STATUS\nA\s+ok\n/)
    const missing = await secretsIn(env, 'render', '--check', join(copy, 'two.yaml'))
    expect(missing.code).toBe(3)
    expect(missing.stdout).toMatch(/B\s+missing/)
    expect(missing.stderr).toBe('secrets: missing secret: B\n')
    expect(auditRows()).toBe(rows)
    // get and run read the same way: the value, audited (one row each), and no Kysely.
    expect(await secretsIn(env, 'get', 'A', '--reason', 'kysely test')).toEqual({ code: 0, stdout: 'a-value', stderr: '' })
    const probe = join(copy, 'probe.txt')
    const ran = await secretsIn(env, 'run', '--env', 'X=${SECRET:A}', '--reason', 'kysely test', '--', 'sh', '-c', `printf %s "$X" > ${probe}`)
    expect(ran).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(readFileSync(probe, 'utf8')).toBe('a-value')
    expect(auditRows()).toBe(rows + 2)
    expect((await secretsIn(env, 'get', 'B', '--reason', 'kysely test')).code).toBe(3)
    // A new store is migrated by the usual open, which imports Kysely.
    const fresh = { ...env, DATABASE_URL: `file:${join(copy, 'new.db')}` }
    const refused = await secretsIn(fresh, ...args, join(copy, 'empty.yaml'), join(copy, 'out2.yaml'))
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('dist/bun/kysely.js was loaded')

    writeFileSync(join(copy, BUNDLE_DIR, 'kysely.js'), real.js)
    writeFileSync(join(copy, BUNDLE_DIR, 'kysely.js.jsc'), real.jsc)
    expect(await secretsIn(fresh, ...args, join(copy, 'empty.yaml'), join(copy, 'out2.yaml'))).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(readFileSync(join(copy, 'out2.yaml'), 'utf8')).toBe('nothing\n')
    const verify = await secretsIn(env, 'audit', 'verify')
    expect(verify.code).toBe(0)
    expect(verify.stdout).toMatch(/^ok: /)
  })
})
