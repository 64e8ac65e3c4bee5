import { describe, expect, test } from 'bun:test'
import { sql } from 'kysely'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openSecrets, type SecretsContext } from '../../src/context.ts'
import { CLI_ACTOR, tempDir } from '../helpers/context.ts'
import { auditEntry } from '../../src/secrets/audit-entry.ts'
import { describeEachDialect, freshDatabase, POSTGRES_URL } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'

const WORKER = join(import.meta.dir, '..', 'fixtures', 'rotate-loop.ts')

/** Starts the rotating process and waits until its store is open. */
async function startRotator(env: Record<string, string>, args: string[]) {
  const proc = Bun.spawn([process.execPath, WORKER, ...args], { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' })
  const reader = proc.stdout.getReader()
  let out = ''
  while (!out.includes('ready\n')) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`rotator exited early: ${await new Response(proc.stderr).text()}`)
    out += new TextDecoder().decode(value)
  }
  return {
    async finish(): Promise<{ rotations: number; conflicts: number }> {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        out += new TextDecoder().decode(value)
      }
      const code = await proc.exited
      const err = await new Response(proc.stderr).text()
      expect(err).toBe('')
      expect(code).toBe(0)
      return JSON.parse(out.trim().split('\n').at(-1)!)
    },
  }
}

const value = async (ctx: SecretsContext, name: string) => ctx.service.decrypt(await ctx.service.sealed(name), 'cli:test', 'check')

describeEachDialect('concurrent rotations of one secret', (dialect) => {
  // Two connections on PostgreSQL. On SQLite one: a second connection in the same thread would wait on the
  // first one's lock synchronously, holding up the thread that would release it (two processes: the test below).
  test('twenty at once all succeed, one version each; the value and the chain hold', async () => {
    const tmp = tempDir()
    const db = await freshDatabase(dialect, `file:${join(tmp.dir, 's.db')}`)
    const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
    const a = await openSecrets(env)
    const b = dialect === 'postgres' ? await openSecrets(env) : a
    try {
      await a.service.create({ name: 'SPUN', value: 'v-spun' }, CLI_ACTOR)
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).service.rotate('SPUN', CLI_ACTOR)))
      const refused = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))
      expect(refused).toEqual([])
      const versions = results.map((r) => (r as PromiseFulfilledResult<{ version: number }>).value.version).sort((x, y) => x - y)
      expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 2))
      expect(await value(a, 'SPUN')).toBe('v-spun')
      const rows = await a.store.db.selectFrom('secret_access_log').select('outcome').where('action', '=', 'rotate').where('secret_name', '=', 'SPUN').execute()
      expect(rows.map((r) => r.outcome)).toEqual(Array(20).fill('ok'))
      expect(await a.service.auditLog.verify(a.store.db)).toMatchObject({ ok: true })
    } finally {
      await a.close()
      if (b !== a) await b.close()
      await db.drop()
      tmp.cleanup()
    }
  })
})

describeEachDialect('rotation racing replace (two processes, one store)', (dialect) => {
  test('rotate NAME never restores the value a replace wrote: every replace that returned stays the value', async () => {
    const tmp = tempDir()
    const db = await freshDatabase(dialect, `file:${join(tmp.dir, 's.db')}`)
    const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
    const stop = join(tmp.dir, 'stop')
    const ctx = await openSecrets(env)
    try {
      await ctx.service.create({ name: 'RACED', value: 'v0' }, CLI_ACTOR)
      const rotator = await startRotator(env, ['one', 'RACED', stop])
      const lost: number[] = []
      // At least 150 rounds, and on until the rotator has rotated at least once (bounded): on a slow or
      // busy machine its first rotation may come after 150 rounds.
      const rotated = async () =>
        (await ctx.store.db.selectFrom('secret_access_log').select('id').where('action', '=', 'rotate').where('secret_name', '=', 'RACED').limit(1).execute()).length > 0
      const deadline = Date.now() + 60_000
      let rounds = 0
      for (let i = 1; i <= 150 || (Date.now() < deadline && !(await rotated())); i++) {
        rounds = i
        // What the last successful replace wrote must still be there just before the next one.
        if ((await value(ctx, 'RACED')) !== `v${i - 1}`) lost.push(i - 1)
        await ctx.service.replace('RACED', { value: `v${i}` }, CLI_ACTOR)
      }
      writeFileSync(stop, '')
      const { rotations } = await rotator.finish()
      if ((await value(ctx, 'RACED')) !== `v${rounds}`) lost.push(rounds)
      expect(rotations).toBeGreaterThan(0)
      expect(lost).toEqual([])
      expect(await ctx.service.auditLog.verify(ctx.store.db)).toMatchObject({ ok: true })
    } finally {
      writeFileSync(stop, '')
      await ctx.close()
      await db.drop()
      tmp.cleanup()
    }
  })

  test('rotate --all never restores an old value written meanwhile by a writer still on the previous key, which is refused once the chain moved on', async () => {
    const tmp = tempDir()
    const db = await freshDatabase(dialect, `file:${join(tmp.dir, 's.db')}`)
    const oldKey = randomKey()
    const newKey = randomKey()
    // The replacing writer still runs with the old key as current (a server not yet restarted).
    const oldEnv = { CLAUDE_HOOKS_SECRET_KEY: oldKey, DATABASE_URL: db.url }
    const newEnv = { CLAUDE_HOOKS_SECRET_KEY: newKey, CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: oldKey, DATABASE_URL: db.url }
    const stop = join(tmp.dir, 'stop')
    const writer = await openSecrets(oldEnv)
    const N = 3
    const names = Array.from({ length: N }, (_, j) => `S_${String(j).padStart(3, '0')}`)
    try {
      for (const name of names) await writer.service.create({ name, value: `${name}-v0` }, CLI_ACTOR)
      const rotator = await startRotator(newEnv, ['all', '7', stop])
      const reader = await openSecrets(newEnv)
      try {
        const lost: string[] = []
        const last = new Map(names.map((name) => [name, `${name}-v0`]))
        const refusals: string[] = []
        const acceptedAfterRefusal: string[] = []
        // At least 150 rounds, and on until the rotator's first batch has refused this writer: on a
        // slow or busy machine the rotator may need longer than 150 rounds to move the chain.
        const deadline = Date.now() + 60_000
        for (let round = 1; round <= 150 || (refusals.length === 0 && Date.now() < deadline); round++) {
          for (const name of names) {
            // What the last successful replace wrote must still be there just before the next one.
            if ((await value(reader, name)) !== last.get(name)) lost.push(last.get(name)!)
            try {
              await writer.service.replace(name, { value: `${name}-v${round}` }, CLI_ACTOR)
              // Once refused, never accepted again: the chain's keys only move forward.
              if (refusals.length > 0) acceptedAfterRefusal.push(`${name}-v${round}`)
              last.set(name, `${name}-v${round}`)
            } catch (e) {
              // The first batch of rotate --all moved the audit chain to the new key, which this writer lacks:
              // its replace and audit row roll back together, and the value stays as it was.
              refusals.push((e as { code?: string }).code ?? String(e))
            }
          }
        }
        // The writer is refused now; let the rotator's next pass move every row to the new key before it stops.
        const onNewKey = async () => (await Promise.all(names.map((n) => reader.service.sealed(n)))).every((r) => r.key_id === reader.keyring.current.id)
        while (!(await onNewKey()) && Date.now() < deadline) await Bun.sleep(20)
        writeFileSync(stop, '')
        const { rotations } = await rotator.finish()
        expect(rotations).toBeGreaterThan(0)
        expect(refusals.length).toBeGreaterThan(0)
        expect(new Set(refusals)).toEqual(new Set(['decrypt_failed']))
        expect(acceptedAfterRefusal).toEqual([])
        for (const name of names) if ((await value(reader, name)) !== last.get(name)) lost.push(last.get(name)!)
        expect(lost).toEqual([])
        expect(await reader.service.auditLog.verify(reader.store.db)).toMatchObject({ ok: true })
      } finally {
        await reader.close()
      }
    } finally {
      writeFileSync(stop, '')
      await writer.close()
      await db.drop()
      tmp.cleanup()
    }
  })
})

// PostgreSQL locks rows, so two writers that take the secret row and the audit head in
// opposite orders deadlock (40P01). Every writer must take the secret rows first, the head last.
describe.skipIf(!POSTGRES_URL)('rotate --all and a replace holding the secret row [postgres]', () => {
  test('rotate --all waits for the replace instead of deadlocking with it', async () => {
    const db = await freshDatabase('postgres')
    const oldKey = randomKey()
    const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), CLAUDE_HOOKS_SECRET_KEY_PREVIOUS: oldKey, DATABASE_URL: db.url }
    const seeder = await openSecrets({ CLAUDE_HOOKS_SECRET_KEY: oldKey, DATABASE_URL: db.url })
    await seeder.service.create({ name: 'S', value: 'v0' }, CLI_ACTOR)
    await seeder.close()
    const writer = await openSecrets(env)
    const rotator = await openSecrets(env)
    const waitingOnLocks = async () => {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(writer.store.db)
      return rows[0]!.n
    }
    try {
      let rowHeld!: () => void
      const held = new Promise<void>((resolve) => (rowHeld = resolve))
      let rotatorBlocked!: () => void
      const rotatorWaits = new Promise<void>((resolve) => (rotatorBlocked = resolve))
      // A writer in the middle of a mutation: it has written the secret row and not yet appended its audit row.
      const write = writer.store.db.transaction().execute(async (trx) => {
        await trx.updateTable('secret').set({ description: 'being replaced' }).where('name', '=', 'S').execute()
        rowHeld()
        await rotatorWaits
        await writer.service.auditLog.append(trx, [auditEntry('S', 'replace', CLI_ACTOR, 'ok', new Date().toISOString())])
      })
      await held
      const rotate = rotator.service.rotateBatch('', 10, CLI_ACTOR)
      // Proceed only once the rotation is blocked on a lock the writer holds.
      while ((await waitingOnLocks()) === 0) await Bun.sleep(10)
      rotatorBlocked()
      const [w, r] = await Promise.allSettled([write, rotate])
      expect(w.status === 'rejected' ? String((w.reason as Error).message) : 'ok').toBe('ok')
      expect(r.status === 'rejected' ? String((r.reason as Error).message) : 'ok').toBe('ok')
      expect((r as PromiseFulfilledResult<{ rotated: string[] }>).value.rotated).toEqual(['S'])
      expect(await value(rotator, 'S')).toBe('v0')
      expect(await rotator.service.auditLog.verify(rotator.store.db)).toMatchObject({ ok: true })
    } finally {
      await writer.close()
      await rotator.close()
      await db.drop()
    }
  })
})
