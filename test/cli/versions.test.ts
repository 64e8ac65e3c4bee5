import { expect, test } from 'bun:test'
import { runCli } from '../helpers/cli.ts'
import { freshStoreEachTest } from '../helpers/context.ts'
import { describeEachDialect } from '../helpers/databases.ts'

describeEachDialect('secrets versions, rollback, set --if-version, delete', (dialect) => {
  const store = freshStoreEachTest(dialect)
  const cli = (args: string[], stdin?: string) => runCli(args, { env: store.env, ...(stdin === undefined ? {} : { stdin }) })

  test('the versions, a check-and-set that wins and one that loses, a rollback, a delete that checks the version', async () => {
    expect((await cli(['set', 'TOKEN'], 'SENTINEL-one')).stdout).toStartWith('created TOKEN (version 1,')
    expect((await cli(['set', 'TOKEN', '--if-version', '1'], 'SENTINEL-two')).stdout).toStartWith('replaced TOKEN (version 2,')
    const lost = await cli(['set', 'TOKEN', '--if-version', '1'], 'SENTINEL-three')
    expect(lost).toMatchObject({ code: 1, stdout: '', stderr: 'secrets: secret TOKEN is at version 2, not 1; nothing was written\n' })
    expect((await cli(['set', 'TOKEN', '--if-version', '0'], 'SENTINEL-x')).code).toBe(1)
    const versions = await cli(['versions', 'TOKEN', '--json'])
    expect(JSON.parse(versions.stdout)).toMatchObject({ current_version: 2, versions: [{ version: 2, current: true }, { version: 1, current: false }] })
    expect((await cli(['versions', 'TOKEN'])).stdout).toMatch(/^VERSION +STATE +WRITTEN +KEY ID\n2 +current .*\n1 +kept /)
    expect((await cli(['rollback', 'TOKEN', '1'])).stdout).toStartWith('rolled back TOKEN to the value of version 1, now version 3')
    expect((await cli(['get', 'TOKEN', '--reason', 'check'])).stdout).toBe('SENTINEL-one')
    expect((await cli(['rollback', 'TOKEN', '9'])).stderr).toBe('secrets: secret TOKEN has no version 9 to roll back to: the kept versions are 1, 2\n')
    expect((await cli(['rollback', 'TOKEN', 'x'])).code).toBe(2)
    // Only what is missing is named: the NAME was given.
    expect((await cli(['rollback', 'TOKEN'])).stderr).toStartWith('secrets rollback: missing VERSION\n')
    expect((await cli(['rollback'])).stderr).toStartWith('secrets rollback: missing NAME and VERSION\n')
    expect((await cli(['set', 'TOKEN', '--if-version', 'two'], 'v')).code).toBe(2)
    expect((await cli(['delete', 'TOKEN', '--if-version', '2'])).code).toBe(1)
    expect((await cli(['delete', 'TOKEN', '--if-version', '3'])).stdout).toBe('deleted TOKEN\n')
    expect((await cli(['versions', 'TOKEN'])).code).toBe(1)
    expect((await cli(['audit', 'verify'])).stdout).toStartWith('ok: 5 rows')
    for (const r of [versions, lost]) expect(r.stdout + r.stderr).not.toContain('SENTINEL')
  })
})
