import { Hono } from 'hono'
import type { SecretsContext } from '../context.ts'

/** What the HTTP app is built from. */
export interface AppOptions {
  ctx: SecretsContext
}

/**
 * Builds the Hono app. Per-app work (header lists, the UI's files) happens
 * here, once; nothing in it depends on the runtime.
 */
export function createApp(options: AppOptions): Hono {
  void options
  const app = new Hono()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  return app
}
