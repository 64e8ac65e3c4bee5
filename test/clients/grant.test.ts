import { describe, expect, test } from 'bun:test'
import * as v from 'valibot'
import { ClientNameSchema, GrantPatternSchema } from '../../src/clients/client-validation.ts'
import { grantCovers, normalizeGrants, notCovered } from '../../src/clients/grant.ts'

describe('grant patterns', () => {
  // [pattern, name, covered]
  const table: Array<[string, string, boolean]> = [
    ['GITHUB_TOKEN', 'GITHUB_TOKEN', true],
    ['GITHUB_TOKEN', 'GITHUB_TOKEN_2', false], // a name that merely starts the same
    ['GITHUB_TOKEN', 'GITHUB_TOKE', false],
    ['GITHUB', 'GITHUB_TOKEN', false], // an exact grant is no prefix
    ['GITHUB_*', 'GITHUB_TOKEN', true],
    ['GITHUB_*', 'GITHUB_', true],
    ['GITHUB_*', 'GITHUBX', false], // starts the same but not with the whole prefix
    ['GITHUB_*', 'GITHUB', false],
    ['GITHUB_*', 'MY_GITHUB_TOKEN', false],
    ['G*', 'GITLAB_TOKEN', true],
    ['*', 'ANYTHING', true],
    ['*', 'A', true],
    ['GITHUB_*', 'github_token', false], // names are case-sensitive
  ]
  for (const [pattern, name, covered] of table) {
    test(`${pattern} ${covered ? 'covers' : 'does not cover'} ${name}`, () => {
      expect(grantCovers(pattern, name)).toBe(covered)
    })
  }

  const valid = ['GITHUB_TOKEN', 'GITHUB_*', 'G*', '*', 'A', `A${'B'.repeat(126)}*`, `A${'B'.repeat(127)}`]
  const invalid = ['', 'github_token', 'github_*', 'Github_*', '**', '*GITHUB', 'GIT*HUB', 'GITHUB_**', '_X', '1X', 'X Y', `A${'B'.repeat(127)}*`, `A${'B'.repeat(128)}`, 'X?', 'X%']
  test.each(valid)('accepts the pattern %p', (p) => {
    expect(v.safeParse(GrantPatternSchema, p).success).toBe(true)
  })
  test.each(invalid)('refuses the pattern %p (lowercase, stray *, empty, too long)', (p) => {
    const result = v.safeParse(GrantPatternSchema, p)
    expect(result.success).toBe(false)
    // The message never quotes the input.
    if (!result.success && p.length > 1) expect(result.issues[0]!.message).not.toContain(p)
  })

  test('notCovered lists every name no pattern covers, once, in first-seen order', () => {
    expect(notCovered(['GITHUB_*', 'SLACK_TOKEN'], ['GITHUB_A', 'AWS_KEY', 'SLACK_TOKEN', 'AWS_KEY', 'SLACK_TOKENS'])).toEqual(['AWS_KEY', 'SLACK_TOKENS'])
    expect(notCovered([], ['A'])).toEqual(['A'])
    expect(notCovered(['*'], ['A', 'B'])).toEqual([])
  })

  test('a grant list is stored distinct and sorted', () => {
    expect(normalizeGrants(['B', 'A*', 'B', '*'])).toEqual(['*', 'A*', 'B'])
  })
})

describe('client names', () => {
  test.each(['a', 'mcp-github', 'ci-42', `a${'b'.repeat(63)}`])('accepts %p', (n) => {
    expect(v.safeParse(ClientNameSchema, n).success).toBe(true)
  })
  test.each(['', 'A', 'Mcp', '1ci', '-x', 'a_b', 'a.b', 'a b', `a${'b'.repeat(64)}`, 'é'])('refuses %p', (n) => {
    expect(v.safeParse(ClientNameSchema, n).success).toBe(false)
  })
})
