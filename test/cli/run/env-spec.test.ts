import { describe, expect, test } from 'bun:test'
import { UsageError } from '../../../src/cli/command.ts'
import { childEnv } from '../../../src/cli/run/child-env.ts'
import { parseEnvFile, parseEnvOption, readEnvFile } from '../../../src/cli/run/env-spec.ts'
import { caught } from '../../helpers/caught.ts'

describe('childEnv', () => {
  const parent = {
    CLAUDE_HOOKS_SECRET_KEY: 'k',
    CLAUDE_HOOKS_SECRET_KEY_FILE: '/k',
    CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: 'p',
    CLAUDE_HOOKS_SECRET_KEY_PREVIOUS_FILE: '/p',
    CLAUDE_HOOKS_SECRETS_TOKEN: 't',
    CLAUDE_HOOKS_SECRETS_TOKEN_FILE: '/t',
    CLAUDE_HOOKS_SECRETS_URL: 'http://127.0.0.1:8787',
    PATH: '/bin',
    HOME: '/h',
    OTHER: 'o',
  }
  test('the master key and client token variables, _FILE variants too, never pass; the rest does, plus the rendered ones', () => {
    expect(childEnv(parent, { GH: 'v' }, false)).toEqual({ CLAUDE_HOOKS_SECRETS_URL: 'http://127.0.0.1:8787', PATH: '/bin', HOME: '/h', OTHER: 'o', GH: 'v' })
  })
  test('CREDENTIALS_DIRECTORY never passes: it names where systemd put the master key', () => {
    expect(childEnv({ CREDENTIALS_DIRECTORY: '/run/credentials/x.service', OTHER: 'o' }, {}, false)).toEqual({ OTHER: 'o' })
    expect(caught(() => parseEnvOption('CREDENTIALS_DIRECTORY=/tmp/c', 1))).toBeInstanceOf(UsageError)
  })
  test('isolated: PATH, HOME, LANG, TERM, TZ only, plus the rendered ones', () => {
    expect(childEnv({ ...parent, LANG: 'C', TZ: 'UTC' }, { GH: 'v' }, true)).toEqual({ PATH: '/bin', HOME: '/h', LANG: 'C', TZ: 'UTC', GH: 'v' })
  })
})

describe('--env and --env-file entries', () => {
  test('an --env-file that cannot be read is named with why, in words and the system code', () => {
    const missing = caught(() => readEnvFile('/nonexistent/x.env'))
    expect(missing).toBeInstanceOf(UsageError)
    expect((missing as Error).message).toBe('cannot read --env-file /nonexistent/x.env: it does not exist (ENOENT)')
    expect((caught(() => readEnvFile('/tmp')) as Error).message).toBe('cannot read --env-file /tmp: it is a directory (EISDIR)')
    expect((caught(() => readEnvFile('/etc/passwd/x')) as Error).message).toBe('cannot read --env-file /etc/passwd/x: a part of the path is not a directory (ENOTDIR)')
  })
  test('NAME=TEMPLATE: the template may contain =; names are checked', () => {
    expect(parseEnvOption('A=x=${SECRET:B}', 1)).toEqual(['A', 'x=${SECRET:B}'])
    expect(parseEnvOption('A=', 1)).toEqual(['A', ''])
    expect(caught(() => parseEnvOption('1A=x', 1))).toBeInstanceOf(UsageError)
    expect(caught(() => parseEnvOption('A-B=x', 1))).toBeInstanceOf(UsageError)
    expect(caught(() => parseEnvOption('CLAUDE_HOOKS_SECRETS_TOKEN=x', 1))).toBeInstanceOf(UsageError)
  })
  test('a word without = is refused without being shown: it may be the value itself, pasted in place of NAME=TEMPLATE', () => {
    const e = caught(() => parseEnvOption('ghp_0123456789abcdefABCDEF', 2)) as Error
    expect(e).toBeInstanceOf(UsageError)
    expect(e.message).toBe('--env (the 2nd): expected NAME=TEMPLATE; the argument has no "=" and is not shown')
    expect(e.message).not.toContain('ghp_')
    expect((caught(() => parseEnvOption('x', 1)) as Error).message).toStartWith('--env (the 1st): ')
    expect((caught(() => parseEnvOption('x', 3)) as Error).message).toStartWith('--env (the 3rd): ')
    expect((caught(() => parseEnvOption('x', 11)) as Error).message).toStartWith('--env (the 11th): ')
  })
  test('dotenv: comments, blank lines, export, quotes taken literally, CRLF', () => {
    const text = '# c\r\n\r\n  export A=${SECRET:A}\r\nB = "x y # z"\nC=\'$HOME "q"\'\nD=a # not a comment\nE=""\n'
    expect(parseEnvFile('f.env', text)).toEqual([
      ['A', '${SECRET:A}'],
      ['B', 'x y # z'],
      ['C', '$HOME "q"'],
      ['D', 'a # not a comment'],
      ['E', ''],
    ])
  })
  test('where each value starts: line and column in the file, past indent, export, blanks and a quote', () => {
    const seen: [string, number, number][] = []
    parseEnvFile('f.env', '# c\n  export A=${SECRET:A}\nB = "x"\nC=\'y\'\n', (name, line, column) => seen.push([name, line, column]))
    expect(seen).toEqual([
      ['A', 2, 12],
      ['B', 3, 6],
      ['C', 4, 4],
    ])
  })
  test('a bad line names the file and the line', () => {
    expect((caught(() => parseEnvFile('f.env', 'A=1\nnot a line\n')) as Error).message).toBe('f.env:2: expected NAME=TEMPLATE')
    expect((caught(() => parseEnvFile('f.env', 'A="open\n')) as Error).message).toBe('f.env:1: unterminated double quote')
    expect((caught(() => parseEnvFile('f.env', '\n\nB.C=1')) as Error).message).toContain('f.env:3: "B.C" is not a variable name')
  })
})
