import { afterAll, beforeAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { ClientService } from '../../src/clients/client.service.ts'
import { openStore } from '../../src/store/database.ts'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { describeEachDialect, freshDatabase } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'

// Changes need the master key (each leaves an audit row); `list` does not (test/audit/security-events.test.ts).
describeEachDialect('secrets client', (dialect) => {
  let tmp: ReturnType<typeof tempDir>
  let db: Awaited<ReturnType<typeof freshDatabase>>
  let env: Record<string, string>
  beforeAll(async () => {
    tmp = tempDir()
    db = await freshDatabase(dialect, `file:${join(tmp.dir, 'clients.db')}`)
    env = { DATABASE_URL: db.url, CLAUDE_HOOKS_SECRET_KEY: randomKey() }
  })
  afterAll(async () => {
    await db.drop()
    tmp.cleanup()
  })
  const cli = (...argv: string[]) => runCli(['client', ...argv], { env })
  async function authenticate(token: string) {
    const store = await openStore(env.DATABASE_URL)
    try {
      return await new ClientService({ db: store.db }).authenticate(token)
    } finally {
      await store.close()
    }
  }

  test('add, grant, token, list, revoke, remove', async () => {
    const added = await cli('add', 'mcp-github', '--grant', 'GITHUB_*', '--grant', 'SLACK_TOKEN', '--description', 'GitHub MCP')
    expect(added).toEqual({ code: 0, stdout: 'added client mcp-github, granted GITHUB_* SLACK_TOKEN\n', stderr: '' })
    expect((await cli('grant', 'mcp-github', '--grant', 'GITHUB_TOKEN')).stdout).toBe('client mcp-github is now granted GITHUB_TOKEN\n')

    const issued = await cli('token', 'mcp-github', '--ttl', '30d')
    expect(issued.code).toBe(0)
    expect(issued.stdout).toMatch(/^chs_[A-Za-z0-9_-]{43}\n$/)
    const token = issued.stdout.trim()
    const id = /token ([0-9a-f]{16}) for client mcp-github, expires \d{4}-\d\d-\d\d \d\d:\d\dZ; it is not shown again/.exec(issued.stderr)?.[1]
    expect(id).toBeDefined()
    const auth = await authenticate(token)
    expect(auth.ok && auth.principal).toMatchObject({ client: 'mcp-github', tokenId: id, grants: ['GITHUB_TOKEN'] })

    const list = await cli('list')
    expect(list.code).toBe(0)
    expect(list.stdout).toContain('mcp-github  GITHUB_TOKEN  GitHub MCP')
    expect(list.stdout).toMatch(new RegExp(`mcp-github  ${id}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\dZ  never`))
    expect(list.stdout).not.toContain(token.slice(4))
    const json = JSON.parse((await cli('list', '--json')).stdout)
    expect(json.clients[0].tokens[0].id).toBe(id)
    expect(JSON.stringify(json)).not.toContain(token.slice(4))

    expect(await cli('revoke', 'mcp-github', '--token', id!)).toEqual({ code: 0, stdout: `revoked token ${id} of client mcp-github\n`, stderr: '' })
    expect((await authenticate(token)).ok).toBe(false)
    expect((await cli('list')).stdout).toContain(`${id}  revoked `)
    await cli('token', 'mcp-github')
    await cli('token', 'mcp-github')
    expect((await cli('revoke', 'mcp-github')).stdout).toBe('revoked 2 tokens of client mcp-github\n')
    expect(await cli('remove', 'mcp-github')).toEqual({ code: 0, stdout: 'removed client mcp-github; its tokens no longer work\n', stderr: '' })
    expect((await cli('list')).stdout).toStartWith('No clients yet.')
  })

  test('--grant takes several patterns after it, as DESIGN.md writes it (--grant P...), and repeats', async () => {
    const added = await cli('add', 'ci-deploy', '--grant', 'GITHUB_*', 'SLACK_TOKEN', '--description', 'deploys', '--grant', 'NPM_TOKEN')
    expect(added).toEqual({ code: 0, stdout: 'added client ci-deploy, granted GITHUB_* NPM_TOKEN SLACK_TOKEN\n', stderr: '' })
    expect((await cli('grant', 'ci-deploy', '--grant=AWS_*', 'GCP_KEY')).stdout).toBe('client ci-deploy is now granted AWS_* GCP_KEY\n')
    // After `--`, a word is a positional again, never a grant.
    const past = await cli('grant', 'ci-deploy', '--grant', 'A_KEY', '--', 'B_KEY')
    expect(past.code).toBe(2)
    expect(past.stderr).toContain('unexpected argument in position 3')
    // NAME comes first: written after the patterns, it is one of them, and NAME is missing.
    const late = await cli('add', '--grant', 'A_KEY', 'ci-late')
    expect(late.code).toBe(2)
    expect(late.stderr).toContain('missing NAME (it comes before --grant)')
    const bad = await cli('grant', 'ci-deploy', '--grant', 'GOOD_KEY', 'lower')
    expect(bad.code).toBe(1)
    // Which pattern, by position: a word typed in the wrong place may be a pasted value, so it is not echoed.
    expect(bad.stderr).toBe('secrets: grants item 2 (of 2) must be a secret name (GITHUB_TOKEN), a prefix of one ending in * (GITHUB_*), or * alone for every secret\n')
    expect((await cli('list')).stdout).toContain('ci-deploy  AWS_* GCP_KEY  deploys')
    expect((await cli('remove', 'ci-deploy')).code).toBe(0)
  })

  test('usage errors exit 2, bad names and unknown clients exit 1, naming what is wrong', async () => {
    const usage: string[][] = [
      [],
      ['nope'],
      ['add', 'ci'],
      ['add', 'ci', '--ttl', '30d', '--grant', 'A'],
      ['token', 'ci', '--ttl', '1y'],
      ['grant', 'ci'],
      ['list', 'extra'],
      ['add'],
    ]
    for (const argv of usage) {
      const r = await cli(...argv)
      expect([argv, r.code]).toEqual([argv, 2])
      expect(r.stderr).toContain('secrets client:')
    }
    const bad = await cli('add', 'CI', '--grant', 'A')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('name must be 1 to 64 characters')
    const badGrant = await cli('add', 'ci', '--grant', 'lower')
    expect(badGrant.code).toBe(1)
    expect(badGrant.stderr).toContain('grants item 1 (of 1) must be a secret name')
    expect(badGrant.stderr).not.toContain('lower')
    expect(await cli('token', 'ghost')).toEqual({ code: 1, stdout: '', stderr: 'secrets: client ghost does not exist\n' })
    expect((await cli('revoke', 'ghost', '--token', 'zz')).stderr).toContain('token id must be 16 lowercase hex')
    expect((await cli('list')).stdout).toStartWith('No clients yet.')
  })
})

test('serve refuses a bad RENDER_BODY_LIMIT with exit 78, before opening anything', async () => {
  const tmp = tempDir()
  try {
    const url = `file:${join(tmp.dir, 'never.db')}`
    for (const value of ['abc', '0', '2G', '1.5M', '-1']) {
      const r = await runCli(['serve', '--port', '0'], { env: { RENDER_BODY_LIMIT: value, DATABASE_URL: url } })
      expect([value, r.code]).toEqual([value, 78])
      expect(r.stderr).toContain('RENDER_BODY_LIMIT must be')
    }
    const { existsSync } = await import('node:fs')
    expect(existsSync(join(tmp.dir, 'never.db'))).toBe(false)
  } finally {
    tmp.cleanup()
  }
})
