import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openSecrets } from '../../src/context.ts'
import { BIN, runBin, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'
import { auditRowsOf } from '../helpers/context.ts'

// Who runs the tests, by another route than the code under test: id(1).
const LOGIN = Bun.spawnSync(['id', '-un']).stdout.toString().trim()

describeEachDialect('secrets render', (dialect) => {
  let tmp: ReturnType<typeof tempDir>
  let db: Awaited<ReturnType<typeof freshDatabase>>
  let env: Record<string, string>
  const file = (name: string) => join(tmp.dir, name)

  const auditRows = () => auditRowsOf(env)

  beforeAll(async () => {
    tmp = tempDir()
    db = await freshDatabase(dialect, `file:${join(tmp.dir, 'secrets.db')}`)
    env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
    expect((await runCli(['set', 'GITHUB_TOKEN'], { env, stdin: 'ghp_render_value' })).code).toBe(0)
    expect((await runCli(['set', 'NPM_TOKEN'], { env, stdin: 'npm_render_value' })).code).toBe(0)
    expect((await runCli(['set', 'QUOTED'], { env, stdin: 'a"b\\c\'d' })).code).toBe(0)
  })
  afterAll(async () => {
    await db.drop()
    tmp.cleanup()
  })

  test('IN to OUT: substitutes, keeps escapes and other $ forms, one read row per distinct secret', async () => {
    writeFileSync(
      file('mcp.json'),
      '{"gh": "${SECRET:GITHUB_TOKEN}", "again": "${SECRET:GITHUB_TOKEN}", "npm": "${SECRET:NPM_TOKEN}",\n "lit": "$${SECRET:NPM_TOKEN}", "home": "$HOME ${USER} ${{ env.X }}"}\n',
    )
    const before = (await auditRows()).length
    const r = await runBin(['render', '--accessor', 'hook:mcp', '--reason', 'start mcp server', file('mcp.json'), file('out.json')], { env })
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' })
    expect(readFileSync(file('out.json'), 'utf8')).toBe(
      '{"gh": "ghp_render_value", "again": "ghp_render_value", "npm": "npm_render_value",\n "lit": "${SECRET:NPM_TOKEN}", "home": "$HOME ${USER} ${{ env.X }}"}\n',
    )
    const reads = (await auditRows()).slice(before)
    expect(reads.map((row) => [row.secret_name, row.action, row.accessor, row.label, row.reason, row.outcome])).toEqual([
      ['GITHUB_TOKEN', 'read', `cli:${LOGIN}`, 'hook:mcp', 'start mcp server', 'ok'],
      ['NPM_TOKEN', 'read', `cli:${LOGIN}`, 'hook:mcp', 'start mcp server', 'ok'],
    ])
  })

  test('the audit accessor is the real user, whatever $USER says; --accessor is only a label, even when it says operator:', async () => {
    const before = (await auditRows()).length
    const forged = await runBin(['render', '--accessor', 'operator:bob', '--reason', 'pose'], {
      env: { ...env, USER: 'mallory', LOGNAME: 'mallory' },
      stdin: '${SECRET:NPM_TOKEN}',
    })
    expect(forged.code).toBe(0)
    const unset = await runBin(['set', 'NPM_TOKEN'], { env: { ...env, USER: undefined, LOGNAME: undefined }, stdin: 'npm_render_value' })
    expect(unset.code).toBe(0)
    const rows = (await auditRows()).slice(before)
    expect(rows.map((row) => [row.action, row.accessor, row.label])).toEqual([
      ['read', `cli:${LOGIN}`, 'operator:bob'],
      ['replace', `cli:${LOGIN}`, null],
    ])
    const check = await openSecrets(env)
    try {
      expect(await check.service.auditLog.verify(check.store.db)).toMatchObject({ ok: true })
    } finally {
      await check.close()
    }
  })

  test('stdin to stdout', async () => {
    const r = await runBin(['render', '--accessor', 'a', '--reason', 'r'], { env, stdin: 'token=${SECRET:NPM_TOKEN}\n' })
    expect(r).toMatchObject({ code: 0, stdout: 'token=npm_render_value\n', stderr: '' })
  })

  test('missing secrets: exit 3, every missing name on stderr, OUT untouched, nothing on stdout, no read row', async () => {
    writeFileSync(file('bad.yaml'), 'a: ${SECRET:NOPE}\nb: ${SECRET:GITHUB_TOKEN}\nc: ${SECRET:ALSO_NOPE}\n')
    writeFileSync(file('existing.yaml'), 'previous content\n')
    const before = (await auditRows()).length
    const r = await runBin(['render', '--accessor', 'a', '--reason', 'r', file('bad.yaml'), file('existing.yaml')], { env })
    expect(r.code).toBe(3)
    expect(r.stderr).toBe('secrets: missing secrets: NOPE, ALSO_NOPE\n')
    expect(readFileSync(file('existing.yaml'), 'utf8')).toBe('previous content\n')
    expect(readdirSync(tmp.dir).filter((n) => n.includes('existing.yaml') && n !== 'existing.yaml')).toEqual([])
    expect((await auditRows()).length).toBe(before)
    const fresh = await runBin(['render', '--accessor', 'a', '--reason', 'r', file('bad.yaml'), file('new.yaml')], { env })
    expect(fresh.code).toBe(3)
    expect(existsSync(file('new.yaml'))).toBe(false)
    const piped = await runBin(['render', '--accessor', 'a', '--reason', 'r'], { env, stdin: 'x ${SECRET:GITHUB_TOKEN} ${SECRET:NOPE}' })
    expect(piped).toMatchObject({ code: 3, stdout: '' })
    expect(piped.stderr).not.toContain('ghp_render_value')
  })

  test('an IN that cannot be read: exit 1 naming IN and why, for a render and for --check; nothing written or read', async () => {
    mkdirSync(file('in-dir'))
    const before = (await auditRows()).length
    const cases: [string, string][] = [
      [file('no-such.yaml'), `secrets: cannot read IN ${file('no-such.yaml')}: it does not exist\n`],
      [file('in-dir'), `secrets: IN ${file('in-dir')} is a directory\n`],
    ]
    for (const [input, stderr] of cases) {
      expect(await runBin(['render', '--accessor', 'a', '--reason', 'r', input, file('never.yaml')], { env })).toEqual({ code: 1, stdout: '', stderr })
      expect(await runBin(['render', '--check', input], { env })).toEqual({ code: 1, stdout: '', stderr })
    }
    expect(existsSync(file('never.yaml'))).toBe(false)
    expect((await auditRows()).length).toBe(before)
  })

  test('an OUT that cannot be written fails before any decryption: exit 1, OUT named, no audit row (issue 12, point 6)', async () => {
    writeFileSync(file('tpl.yaml'), 'gh: ${SECRET:GITHUB_TOKEN}\n')
    mkdirSync(file('a-dir'))
    const before = (await auditRows()).length
    const cases: [string, string][] = [
      [file('missing-dir/out.yaml'), `secrets: cannot write OUT ${file('missing-dir/out.yaml')}: the directory ${file('missing-dir')} does not exist\n`],
      [file('a-dir'), `secrets: OUT ${file('a-dir')} is a directory\n`],
      [file('tpl.yaml'), `secrets: OUT ${file('tpl.yaml')} is the same file as IN: render to another path\n`],
    ]
    for (const [out, stderr] of cases) {
      const r = await runBin(['render', '--accessor', 'a', '--reason', 'r', file('tpl.yaml'), out], { env })
      expect(r).toEqual({ code: 1, stdout: '', stderr })
    }
    expect((await auditRows()).length).toBe(before)
    expect(readFileSync(file('tpl.yaml'), 'utf8')).toBe('gh: ${SECRET:GITHUB_TOKEN}\n')
    expect(readdirSync(file('a-dir'))).toEqual([])
  })

  test('a piped input past RENDER_SPOOL_LIMIT: exit 1 naming the variable, nothing on stdout, no audit row (issue 12, point 9)', async () => {
    const before = (await auditRows()).length
    // A real pipe (runBin's stdin may reach the command as a file, which is read twice, not spooled).
    const proc = Bun.spawn(['sh', '-c', `{ printf '%s\\n' '\${SECRET:GITHUB_TOKEN}'; head -c 3145728 /dev/zero; } | "$0" render --accessor a --reason r`, BIN], {
      env: { PATH: process.env.PATH!, ...env, RENDER_SPOOL_LIMIT: '1M' },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
    const r = { code, stdout, stderr }
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toStartWith(`secrets: the input is longer than RENDER_SPOOL_LIMIT (${1 << 20} bytes)`)
    expect((await auditRows()).length).toBe(before)
    const zero = await runBin(['render', '--accessor', 'a', '--reason', 'r', '/dev/zero', file('zero.out')], { env: { ...env, RENDER_SPOOL_LIMIT: '2M' } })
    expect(zero.code).toBe(1)
    expect(zero.stderr).toStartWith(`secrets: the input is longer than RENDER_SPOOL_LIMIT (${2 << 20} bytes)`)
    expect(existsSync(file('zero.out'))).toBe(false)
    const bad = await runBin(['render', '--accessor', 'a', '--reason', 'r'], { env: { ...env, RENDER_SPOOL_LIMIT: '1GB' }, stdin: 'x' })
    expect(bad.code).toBe(78)
    expect(bad.stderr).toStartWith('secrets: RENDER_SPOOL_LIMIT must be a positive whole number of bytes')
  })

  test('a malformed placeholder: exit 3 with its line and column, nothing written', async () => {
    const r = await runBin(['render', '--accessor', 'a', '--reason', 'r'], { env, stdin: 'ok: ${SECRET:GITHUB_TOKEN}\n  bad: ${SECRET:lower}\n' })
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toStartWith('secrets: malformed placeholder at line 2, column 8')
  })

  test('--check lists names, marks the missing, decrypts nothing and writes no audit row', async () => {
    writeFileSync(file('check.yaml'), '${SECRET:GITHUB_TOKEN} ${SECRET:NOPE} ${SECRET:GITHUB_TOKEN}\n')
    const before = (await auditRows()).length
    const r = await runCli(['render', '--check', file('check.yaml')], { env })
    expect(r.code).toBe(3)
    expect(r.stdout).toBe(
      'NAME          STATUS\nGITHUB_TOKEN  ok\nNOPE          missing\n\n' +
        'LINE  COLUMN  NAME          ESCAPING\n1     1       GITHUB_TOKEN  raw\n1     24      NOPE          raw\n1     39      GITHUB_TOKEN  raw\n',
    )
    expect(r.stderr).toBe('secrets: missing secret: NOPE\n')
    expect((await auditRows()).length).toBe(before)
    const ok = await runCli(['render', '--check'], { env, stdin: '${SECRET:NPM_TOKEN}' })
    expect(ok.code).toBe(0)
  })

  test('--check on a .json IN shows the JSON context: json inside strings, sh+json for |sh there, raw outside', async () => {
    writeFileSync(file('check.json'), '{"a": "${SECRET:QUOTED}",\n "b": "run ${SECRET:QUOTED|sh}", "n": ${SECRET:NPM_TOKEN|raw}}\n')
    const r = await runCli(['render', '--check', file('check.json')], { env })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(
      'NAME       STATUS\nQUOTED     ok\nNPM_TOKEN  ok\n\n' +
        'LINE  COLUMN  NAME       ESCAPING\n1     8       QUOTED     json\n2     12      QUOTED     sh+json\n2     39      NPM_TOKEN  raw\n',
    )
    const raw = await runCli(['render', '--check', '--format', 'raw', file('check.json')], { env })
    expect(raw.stdout).toEndWith('1     8       QUOTED     raw\n2     12      QUOTED     sh\n2     39      NPM_TOKEN  raw\n')
  })

  test('--format json is the default for .json: values are JSON-escaped inside strings, the output parses', async () => {
    writeFileSync(file('q.json'), '{"q": "${SECRET:QUOTED}", "cmd": "x ${SECRET:QUOTED|sh}"}')
    const r = await runBin(['render', '--accessor', 'a', '--reason', 'r', file('q.json')], { env })
    expect(r).toMatchObject({ code: 0, stderr: '' })
    expect(JSON.parse(r.stdout)).toEqual({ q: 'a"b\\c\'d', cmd: `x 'a"b\\c'\\''d'` })
    // OUT ending in .json picks it too, from stdin.
    const piped = await runBin(['render', '--accessor', 'a', '--reason', 'r', '-', file('piped.json')], { env, stdin: '["${SECRET:QUOTED}"]' })
    expect(piped.code).toBe(0)
    expect(JSON.parse(readFileSync(file('piped.json'), 'utf8'))).toEqual(['a"b\\c\'d'])
    // --format raw: the value goes in as it is.
    const raw = await runBin(['render', '--accessor', 'a', '--reason', 'r', '--format', 'raw', file('q.json')], { env })
    expect(raw.stdout).toStartWith('{"q": "a"b\\c\'d"')
    // Any other IN is raw unless --format json says otherwise.
    const forced = await runBin(['render', '--accessor', 'a', '--reason', 'r', '--format', 'json'], { env, stdin: '"${SECRET:QUOTED}"' })
    expect(forced.stdout).toBe('"a\\"b\\\\c\'d"')
  })

  test('--format json: a placeholder outside any string without a filter is exit 3 with line and column, no read row, OUT not written', async () => {
    writeFileSync(file('bare.json'), '{\n  "n": ${SECRET:NPM_TOKEN}\n}')
    const before = (await auditRows()).length
    const r = await runBin(['render', '--accessor', 'a', '--reason', 'r', file('bare.json'), file('bare-out.json')], { env })
    expect(r.code).toBe(3)
    expect(r.stderr).toStartWith('secrets: malformed placeholder at line 2, column 8: a placeholder outside any JSON string needs a filter')
    expect(r.stderr).not.toContain('npm_render_value')
    expect(existsSync(file('bare-out.json'))).toBe(false)
    expect((await auditRows()).length).toBe(before)
  })

  test('--format takes json or raw only (exit 2); an unknown filter is exit 3', async () => {
    const bad = await runCli(['render', '--accessor', 'a', '--reason', 'r', '--format', 'yaml'], { env, stdin: '' })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--format must be json or raw')
    const filter = await runBin(['render', '--accessor', 'a', '--reason', 'r'], { env, stdin: 'x ${SECRET:NPM_TOKEN|hex}' })
    expect(filter.code).toBe(3)
    expect(filter.stderr).toStartWith('secrets: malformed placeholder at line 1, column 3: unknown filter')
  })

  test('--accessor and --reason are required for a render (exit 2)', async () => {
    expect((await runCli(['render', file('check.yaml')], { env })).code).toBe(2)
    expect((await runCli(['render', '--accessor', 'a', file('check.yaml')], { env })).code).toBe(2)
    // An empty one is a usage error too, naming the flag (it was exit 1, "label must not be empty"): test/cli/actor-flags.test.ts.
    const empty = await runCli(['render', '--accessor', '', '--reason', 'r'], { env, stdin: '${SECRET:NPM_TOKEN}' })
    expect(empty).toMatchObject({ code: 2, stdout: '' })
    expect(empty.stderr).toStartWith('secrets render: --accessor must not be empty\n')
  })

  test('a missing input file fails with exit 1 and names the path', async () => {
    const r = await runCli(['render', '--accessor', 'a', '--reason', 'r', file('nope.yaml')], { env })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('nope.yaml')
  })
})
