import { describe, expect, test } from 'bun:test'
import { createApp } from '../../../src/http/app.ts'
import type { AppLogger } from '../../../src/http/app-logger.ts'
import { memoryContext } from '../../helpers/context.ts'

function recorder(): AppLogger & { errors: string[] } {
  const errors: string[] = []
  return { errors, request: () => {}, error: (where, e) => errors.push(`${where}: ${(e as Error).message}`) }
}

describe('GET /healthz and GET /readyz', () => {
  test('both 200 while the store answers; no session needed', async () => {
    const ctx = await memoryContext()
    try {
      const app = createApp({ ctx, logger: recorder() })
      const health = await app.request('http://127.0.0.1:8787/healthz')
      expect(health.status).toBe(200)
      expect(await health.json()).toEqual({ status: 'ok' })
      const ready = await app.request('http://127.0.0.1:8787/readyz')
      expect(ready.status).toBe(200)
      expect(await ready.json()).toEqual({ status: 'ready' })
    } finally {
      await ctx.close()
    }
  })

  test('the store gone: /healthz still 200, /readyz 503 store_unavailable with Retry-After, one log line naming the store', async () => {
    const ctx = await memoryContext()
    const logger = recorder()
    const app = createApp({ ctx, logger })
    await ctx.close()
    expect((await app.request('http://127.0.0.1:8787/healthz')).status).toBe(200)
    const ready = await app.request('http://127.0.0.1:8787/readyz')
    expect(ready.status).toBe(503)
    expect(ready.headers.get('retry-after')).toBe('1')
    expect(await ready.json()).toEqual({ error: { code: 'store_unavailable', message: 'the store does not answer; the server log says why' } })
    expect(logger.errors.filter((e) => e.startsWith('GET /readyz'))).toEqual([expect.stringContaining('the store does not answer (SQLite in memory: ')])
  })
})
