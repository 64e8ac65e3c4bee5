import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Env, openSecrets, type SecretsContext } from '../../src/context.ts'
import { randomKey } from './keys.ts'

/** A controllable clock: starts at a fixed instant, `tick` moves it on. */
export function testClock(start = '2026-01-01T00:00:00.000Z') {
  let t = Date.parse(start)
  return {
    now: () => new Date(t),
    tick: (ms = 1000) => {
      t += ms
    },
  }
}

/** A fresh in-memory store with a random key (or the env given). */
export async function memoryContext(env: Env = {}, options: { now?: () => Date } = {}): Promise<SecretsContext & { env: Env }> {
  const full = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: ':memory:', ...env }
  const ctx = await openSecrets(full, options)
  return Object.assign(ctx, { env: full })
}

/** A private temporary directory, removed by the returned function. */
export function tempDir(prefix = 'chs-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export const CLI_ACTOR = { accessor: 'cli:test', reason: 'unit test' }
