import { Hono } from 'hono'
import { sql } from 'kysely'
import type { Store } from '../../store/database.ts'
import { describeFailure, StoreUnavailableError } from '../../store/open-errors.ts'
import type { AppEnv } from '../app-env.ts'
import type { AppLogger } from '../app-logger.ts'
import { HttpError } from '../http-error.ts'
import { appAnswer } from '../middleware/security-headers.ts'

/** How long /readyz waits for the store before calling it unavailable. */
export const READY_TIMEOUT_MS = 5000

/**
 * `GET /healthz`: the process is up (liveness; touches nothing).
 * `GET /readyz`: the store answers a query on the schema within
 * {@link READY_TIMEOUT_MS}; otherwise 503 `store_unavailable`, and one log
 * line naming where the store is and why (never the password). The answer
 * itself names neither: it goes to whoever can reach the port.
 */
export function healthRoutes(store: Store, logger: AppLogger): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  // Polled by supervisors and load balancers: the answer is built with the app's headers at once (security-headers.ts).
  const ok = JSON.stringify({ status: 'ok' })
  app.get('/healthz', function healthz() {
    return appAnswer(ok, 200, 'application/json')
  })
  app.get('/readyz', async function readyz(c) {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${READY_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })), READY_TIMEOUT_MS)
    })
    try {
      await Promise.race([sql`SELECT name FROM kysely_migration LIMIT 1`.execute(store.db), timeout])
    } catch (e) {
      const line = new StoreUnavailableError(`the store does not answer (${describeFailure(e, store.location)})`)
      // One line: the reason is in the message, the stack would only say "here".
      line.stack = `${line.name}: ${line.message}`
      logger.error('GET /readyz', line)
      throw new HttpError('store_unavailable', 'the store does not answer; the server log says why', { headers: { 'Retry-After': '1' } })
    } finally {
      clearTimeout(timer)
    }
    return c.json({ status: 'ready' })
  })
  return app
}
