import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runBin, runCli } from './helpers/cli.ts'
import { tempDir } from './helpers/context.ts'
import { randomKey } from './helpers/keys.ts'

const ROOT = join(import.meta.dir, '..')
let tmp: ReturnType<typeof tempDir>
let n = 0
beforeAll(() => {
  tmp = tempDir()
})
afterAll(() => tmp.cleanup())

/** A file holding `text` with `mode`. */
function file(text: string, mode = 0o600): string {
  const path = join(tmp.dir, `key-${++n}`)
  writeFileSync(path, text, { mode })
  chmodSync(path, mode)
  return path
}

/** A credentials directory as systemd makes it, holding the given credentials. */
function credentials(entries: Record<string, string>): string {
  const dir = join(tmp.dir, `creds-${++n}`)
  mkdirSync(dir, { mode: 0o700 })
  for (const [name, text] of Object.entries(entries)) writeFileSync(join(dir, name), text, { mode: 0o400 })
  return dir
}

const db = () => `file:${join(tmp.dir, `s-${++n}.db`)}`

/** Sets a secret under one env, then reads it back (list shows its key id) under another. */
async function keyIdUnder(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(['list', '--json'], { env })
}

describe('master key sources', () => {
  test('CLAUDE_HOOKS_SECRET_KEY_FILE (mode 0600, trailing newline) is the same key as the variable', async () => {
    const key = randomKey()
    const url = db()
    const set = await runCli(['set', 'A'], { env: { CLAUDE_HOOKS_SECRET_KEY: key, DATABASE_URL: url }, stdin: 'v' })
    expect(set.code).toBe(0)
    const r = await runCli(['get', 'A', '--reason', 'test'], { env: { CLAUDE_HOOKS_SECRET_KEY_FILE: file(`${key}\n`), DATABASE_URL: url } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('v')
  })

  test('the systemd credential claude-hooks-secret-key in $CREDENTIALS_DIRECTORY is the same key', async () => {
    const key = randomKey()
    const url = db()
    expect((await runCli(['set', 'A'], { env: { CLAUDE_HOOKS_SECRET_KEY: key, DATABASE_URL: url }, stdin: 'v' })).code).toBe(0)
    const dir = credentials({ 'claude-hooks-secret-key': `${key}\n`, 'some-other-credential': 'x' })
    const r = await runCli(['get', 'A', '--reason', 'test'], { env: { CREDENTIALS_DIRECTORY: dir, DATABASE_URL: url } })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('v')
  })

  test('a credentials directory without the key credential is not a source', async () => {
    const r = await keyIdUnder({ CREDENTIALS_DIRECTORY: credentials({ other: 'x' }), DATABASE_URL: db() })
    expect(r.code).toBe(78)
    expect(r.stderr).toContain('CLAUDE_HOOKS_SECRET_KEY is not set')
  })

  for (const mode of [0o640, 0o604, 0o644, 0o620]) {
    test(`a key file with mode ${mode.toString(8)} is refused (exit 78), naming the variable and the mode, never the key`, async () => {
      const key = randomKey()
      const path = file(key, mode)
      const r = await keyIdUnder({ CLAUDE_HOOKS_SECRET_KEY_FILE: path, DATABASE_URL: db() })
      expect(r.code).toBe(78)
      expect(r.stderr).toContain(`CLAUDE_HOOKS_SECRET_KEY_FILE (${path}) is readable or writable by its group or others (mode 0${mode.toString(8)})`)
      expect(r.stderr).toContain('chmod 600')
      expect(r.stderr).not.toContain(key.slice(0, 12))
    })
  }

  test('a key file that does not exist: exit 78 naming it', async () => {
    const r = await keyIdUnder({ CLAUDE_HOOKS_SECRET_KEY_FILE: join(tmp.dir, 'nope'), DATABASE_URL: db() })
    expect(r.code).toBe(78)
    expect(r.stderr).toContain(`CLAUDE_HOOKS_SECRET_KEY_FILE (${join(tmp.dir, 'nope')}): cannot read it (ENOENT)`)
  })

  test('a malformed key in a file is named by its source', async () => {
    const r = await keyIdUnder({ CLAUDE_HOOKS_SECRET_KEY_FILE: file('not a key'), DATABASE_URL: db() })
    expect(r.code).toBe(78)
    expect(r.stderr).toContain('CLAUDE_HOOKS_SECRET_KEY_FILE (')
    expect(r.stderr).toContain('not valid standard base64')
  })

  const two: Array<[string, () => Record<string, string>, string[]]> = [
    ['the variable and the file', () => ({ CLAUDE_HOOKS_SECRET_KEY: randomKey(), CLAUDE_HOOKS_SECRET_KEY_FILE: file(randomKey()) }), ['CLAUDE_HOOKS_SECRET_KEY and CLAUDE_HOOKS_SECRET_KEY_FILE']],
    ['the variable and the credential', () => ({ CLAUDE_HOOKS_SECRET_KEY: randomKey(), CREDENTIALS_DIRECTORY: credentials({ 'claude-hooks-secret-key': randomKey() }) }), ['CLAUDE_HOOKS_SECRET_KEY and the systemd credential claude-hooks-secret-key']],
    ['the file and the credential', () => ({ CLAUDE_HOOKS_SECRET_KEY_FILE: file(randomKey()), CREDENTIALS_DIRECTORY: credentials({ 'claude-hooks-secret-key': randomKey() }) }), ['CLAUDE_HOOKS_SECRET_KEY_FILE and the systemd credential claude-hooks-secret-key']],
    ['two previous-key sources', () => ({ CLAUDE_HOOKS_SECRET_KEY: randomKey(), CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: randomKey(), CLAUDE_HOOKS_SECRET_KEY_PREVIOUS_FILE: file(randomKey()) }), ['the previous master keys are given twice', 'CLAUDE_HOOKS_SECRET_KEY_PREVIOUS and CLAUDE_HOOKS_SECRET_KEY_PREVIOUS_FILE']],
  ]
  for (const [label, env, expected] of two) {
    test(`two sources (${label}): exit 78 naming both, nothing opened`, async () => {
      const url = db()
      const r = await keyIdUnder({ ...env(), DATABASE_URL: url })
      expect(r.code).toBe(78)
      for (const e of expected) expect(r.stderr).toContain(e)
      expect(r.stderr).toContain('set exactly one of them')
      expect(await Bun.file(url.slice(5)).exists()).toBe(false)
    })
  }

  test('previous keys from a file (one a line) and from the credential claude-hooks-secret-key-previous decrypt old rows', async () => {
    const [old1, old2, current] = [randomKey(), randomKey(), randomKey()]
    const url = db()
    for (const [name, key] of [['ONE', old1], ['TWO', old2]] as const) {
      expect((await runCli(['set', name], { env: { CLAUDE_HOOKS_SECRET_KEY: key, CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: name === 'TWO' ? old1 : '', DATABASE_URL: url }, stdin: name })).code).toBe(0)
    }
    const viaFile = { CLAUDE_HOOKS_SECRET_KEY: current, CLAUDE_HOOKS_SECRET_KEY_PREVIOUS_FILE: file(`${old1}\n${old2}\n`), DATABASE_URL: url }
    const viaCredential = { CLAUDE_HOOKS_SECRET_KEY: current, CREDENTIALS_DIRECTORY: credentials({ 'claude-hooks-secret-key-previous': `${old1},${old2}` }), DATABASE_URL: url }
    for (const env of [viaFile, viaCredential]) {
      for (const name of ['ONE', 'TWO']) {
        const r = await runCli(['get', name, '--reason', 'test'], { env })
        expect(r.stderr).toBe('')
        expect(r.stdout).toBe(name)
      }
    }
  })
})

describe('the key variables leave the process environment once read', () => {
  test('a child started after the store opened (as serve and every command do) inherits none of them', async () => {
    const env = {
      PATH: process.env.PATH!,
      CLAUDE_HOOKS_SECRET_KEY: randomKey(),
      CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: randomKey(),
      DATABASE_URL: db(),
    }
    const proc = Bun.spawn([process.execPath, join(ROOT, 'test/fixtures/child-env-after-open.ts')], { env, stdout: 'pipe', stderr: 'pipe' })
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out).toBe('')
  })

  test('secrets run: the command sees neither the key file variables nor the key', async () => {
    const key = randomKey()
    const url = db()
    expect((await runCli(['set', 'A'], { env: { CLAUDE_HOOKS_SECRET_KEY: key, DATABASE_URL: url }, stdin: 'value-a' })).code).toBe(0)
    const r = await runBin(['run', '--reason', 'test', '--env', 'A=${SECRET:A}', '--', 'sh', '-c', 'env; cat /proc/self/environ | tr "\\0" "\\n"'], {
      env: { CLAUDE_HOOKS_SECRET_KEY_FILE: file(key), CLAUDE_HOOKS_SECRET_KEY_PREVIOUS_FILE: file(randomKey()), DATABASE_URL: url },
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('A=')
    expect(r.stdout).not.toContain('CLAUDE_HOOKS_SECRET_KEY')
    expect(r.stdout).not.toContain(key)
  })
})
