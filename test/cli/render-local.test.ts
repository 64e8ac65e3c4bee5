/**
 * `secrets render` on a local SQLite store: a ready store is read without
 * Kysely (src/secrets/sqlite-reader.ts), any other through the usual open;
 * both keep every promise. Real processes (bin/secrets), at once.
 */
import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runBin } from '../helpers/cli.ts'
import { randomKey } from '../helpers/keys.ts'

let dir: string
let env: Record<string, string>

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chs-render-local-'))
  env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: `file:${join(dir, 's.db')}` }
  for (const name of ['ALPHA', 'BETA', 'GAMMA']) {
    expect((await runBin(['set', name], { env, stdin: `${name.toLowerCase()}-value` })).code).toBe(0)
  }
  writeFileSync(join(dir, 'in.yaml'), 'a: ${SECRET:ALPHA}\nb: ${SECRET:BETA}\nc: ${SECRET:GAMMA}\n')
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

const render = (out: string, e = env) => runBin(['render', '--accessor', 'test', '--reason', 'local render', join(dir, 'in.yaml'), join(dir, out)], { env: e })

function sql(text: string): void {
  const db = new Database(join(dir, 's.db'))
  try {
    db.exec(text)
  } finally {
    db.close()
  }
}

describe('secrets render on a local SQLite store', () => {
  test('renders run at once in separate processes extend one chain: every read audited once, verify holds', async () => {
    const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => render(`out-${i}.yaml`)))
    for (const r of runs) expect(r).toEqual({ code: 0, stdout: '', stderr: '' })
    for (let i = 0; i < 8; i++) expect(readFileSync(join(dir, `out-${i}.yaml`), 'utf8')).toBe('a: alpha-value\nb: beta-value\nc: gamma-value\n')
    const db = new Database(join(dir, 's.db'), { readonly: true })
    try {
      const rows = db.query("select secret_name, count(*) as n from secret_access_log where action = 'read' and outcome = 'ok' group by secret_name order by secret_name").all()
      expect(rows).toEqual([
        { secret_name: 'ALPHA', n: 8 },
        { secret_name: 'BETA', n: 8 },
        { secret_name: 'GAMMA', n: 8 },
      ])
    } finally {
      db.close()
    }
    const verify = await runBin(['audit', 'verify'], { env })
    expect(verify.code).toBe(0)
    expect(verify.stdout).toMatch(/^ok: /)
  })

  test('a store with a newer schema is refused as by every command (exit 78), OUT not written', async () => {
    sql("insert into kysely_migration (name, timestamp) values ('0999_from_the_future', '2030-01-01T00:00:00.000Z')")
    const r = await render('out.yaml')
    expect(r.code).toBe(78)
    expect(r.stderr).toContain('0999_from_the_future')
    expect(() => readFileSync(join(dir, 'out.yaml'))).toThrow()
  })

  test('rows under a key id no configured key has are refused (exit 78), naming it', async () => {
    sql("update secret set key_id = '00000000deadbeef' where name = 'BETA'")
    const r = await render('out.yaml')
    expect(r.code).toBe(78)
    expect(r.stderr).toContain('00000000deadbeef')
    expect(() => readFileSync(join(dir, 'out.yaml'))).toThrow()
  })

  test('a wrong master key is refused before anything is read (exit 78)', async () => {
    const r = await render('out.yaml', { ...env, CLAUDE_HOOKS_SECRET_KEY: randomKey() })
    expect(r.code).toBe(78)
    expect(() => readFileSync(join(dir, 'out.yaml'))).toThrow()
  })

  test('a store whose baseline rows are still to write gets them from the usual open, then renders', async () => {
    sql('update audit_chain_head set versions_baseline = 0')
    expect(await render('out.yaml')).toEqual({ code: 0, stdout: '', stderr: '' })
    const db = new Database(join(dir, 's.db'), { readonly: true })
    try {
      expect(db.query("select count(*) as n from secret_access_log where action = 'baseline'").get()).toEqual({ n: 3 })
    } finally {
      db.close()
    }
    expect((await runBin(['audit', 'verify'], { env })).code).toBe(0)
  })
})
