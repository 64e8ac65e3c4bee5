import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { decryptValue } from '../../src/crypto/aes-gcm.ts'
import { openSecrets } from '../../src/context.ts'
import { BIN, runBin, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/context.ts'
import { randomKey } from '../helpers/keys.ts'

const COUNT = 50_000
let tmp: ReturnType<typeof tempDir>
const oldKey = randomKey()
const newKey = randomKey()
let dbUrl: string

beforeAll(async () => {
  tmp = tempDir()
  dbUrl = `file:${join(tmp.dir, 'secrets.db')}`
  const seed = Bun.spawn([process.execPath, join(import.meta.dir, '..', 'fixtures', 'seed-secrets.ts'), String(COUNT)], {
    env: { ...process.env, CLAUDE_HOOKS_SECRET_KEY: oldKey, DATABASE_URL: dbUrl },
  })
  expect(await seed.exited).toBe(0)
}, 120_000)
afterAll(() => tmp.cleanup())

describe(`rotate --all over ${COUNT} secrets`, () => {
  test(
    'killed with SIGKILL mid-way, then run again: every secret decrypts, all under the new key, none lost',
    async () => {
      const env = { CLAUDE_HOOKS_SECRET_KEY: newKey, CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: oldKey, DATABASE_URL: dbUrl }
      const child = Bun.spawn([BIN, 'rotate', '--all', '--batch-size', '500'], {
        env: { ...env, PATH: process.env.PATH! },
        stdout: 'pipe',
        stderr: 'pipe',
      })
      // Kill it once a few batches have committed (plain output: one line per batch on stderr).
      const reader = child.stderr.getReader()
      let seen = ''
      while ((seen.match(/^batch \d+:/gm)?.length ?? 0) < 8) {
        const { value, done } = await reader.read()
        if (done) break
        seen += new TextDecoder().decode(value)
      }
      child.kill('SIGKILL')
      expect(await child.exited).not.toBe(0)

      const mid = await openSecrets(env)
      const usage = await mid.service.keyUsage()
      await mid.close()
      const onNew = usage.find((u) => u.current)?.rows ?? 0
      expect(onNew).toBeGreaterThan(0)
      expect(onNew).toBeLessThan(COUNT)
      expect(usage.reduce((n, u) => n + u.rows, 0)).toBe(COUNT)

      const rerun = await runBin(['rotate', '--all'], { env })
      expect(rerun.code).toBe(0)
      expect(rerun.stdout).toContain(`rotated ${COUNT - onNew}, already current ${onNew}, failed 0`)

      const after = await openSecrets({ CLAUDE_HOOKS_SECRET_KEY: newKey, DATABASE_URL: dbUrl })
      try {
        const rows = await after.store.db.selectFrom('secret').selectAll().orderBy('name').execute()
        expect(rows.length).toBe(COUNT)
        const decoder = new TextDecoder()
        let wrong = 0
        for (const [i, row] of rows.entries()) {
          if (row.key_id !== after.keyring.current.id) wrong++
          else if (decoder.decode(await decryptValue(after.keyring, row, row.name)) !== `value-${i + 1}`) wrong++
        }
        expect(wrong).toBe(0)
        const rotations = await after.store.db
          .selectFrom('secret_access_log')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('action', '=', 'rotate')
          .where('outcome', '=', 'ok')
          .executeTakeFirstOrThrow()
        expect(Number(rotations.n)).toBe(COUNT)
      } finally {
        await after.close()
      }
      const verify = await runCli(['audit', 'verify'], { env })
      // One `baseline` row per seeded secret (the seed is a store from before versions), one `rotate`,
      // and one `reseal` of the version each rotation kept.
      expect(verify.stdout).toStartWith(`ok: ${3 * COUNT} rows`)
      const keys = await runCli(['keys'], { env })
      expect(keys.stdout).toContain('nothing sealed under it: can be removed')
      // And removing it keeps the audit chain verifiable, every row of it.
      const alone = await runCli(['audit', 'verify'], { env: { CLAUDE_HOOKS_SECRET_KEY: newKey, DATABASE_URL: dbUrl } })
      expect(alone.stdout).toStartWith(`ok: ${3 * COUNT} rows`)
    },
    180_000,
  )
})

describe('rotate --all when a row cannot be decrypted', () => {
  test('rotates the others, names the failed one and why, audits the failure, and exits 1', async () => {
    const dir = tempDir()
    try {
      const old = randomKey()
      const url = `file:${join(dir.dir, 'tampered.db')}`
      const seed = Bun.spawn([process.execPath, join(import.meta.dir, '..', 'fixtures', 'seed-secrets.ts'), '20'], {
        env: { ...process.env, CLAUDE_HOOKS_SECRET_KEY: old, DATABASE_URL: url },
      })
      expect(await seed.exited).toBe(0)
      const { Database } = await import('bun:sqlite')
      const raw = new Database(join(dir.dir, 'tampered.db'))
      raw.run("UPDATE secret SET auth_tag = zeroblob(16) WHERE name = 'S000007'")
      raw.close()

      const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: old, DATABASE_URL: url }
      const r = await runBin(['rotate', '--all', '--batch-size', '6'], { env })
      expect(r.code).toBe(1)
      expect(r.stdout).toContain('rotated 19, already current 0, failed 1\n')
      expect(r.stdout).toContain('  failed S000007: decrypt_failed\n')

      const ctx = await openSecrets(env)
      try {
        const stale = (await ctx.service.list()).filter((s) => !s.key_current).map((s) => s.name)
        expect(stale).toEqual(['S000007'])
        const rows = await ctx.store.db.selectFrom('secret_access_log').selectAll().where('action', '=', 'rotate').execute()
        expect(rows.filter((row) => row.outcome === 'error').map((row) => row.secret_name)).toEqual(['S000007'])
        expect(rows.filter((row) => row.outcome === 'ok').length).toBe(19)
      } finally {
        await ctx.close()
      }
    } finally {
      dir.cleanup()
    }
  })
})
