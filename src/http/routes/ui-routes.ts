import { type Context, Hono } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { HttpError } from '../http-error.ts'
import { loadWebBuild, type WebBuild } from '../web-build.ts'

/** Where the UI lives. */
export const UI_PATH = '/settings/secrets'

/** Every page of the UI: each is the same index.html, which picks the screen from the path. */
export const UI_PAGES = [UI_PATH, '/settings/activity', '/settings/clients'] as const

const ASSETS_PREFIX = '/assets/'

/**
 * The UI: `GET /` redirects to it, `GET /settings/secrets` (and the other
 * {@link UI_PAGES}) is index.html (revalidated on every load: it names the
 * current hashed assets), and
 * `GET /assets/*` are the hashed files, cached for a year.
 *
 * The build is read from `webDir` once, at the first request that needs it.
 * While it is missing, `/settings/secrets` answers 503 `ui_not_built` and the
 * next request looks again, so a build finishing after the server started is
 * picked up without a restart.
 */
export function uiRoutes(webDir: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  let build: WebBuild | undefined

  const current = (): WebBuild | undefined => (build ??= loadWebBuild(webDir))

  app.get('/', function home(c) {
    return c.redirect(UI_PATH, 302)
  })

  const page = function page(c: Context<AppEnv>) {
    const b = current()
    if (!b) {
      throw new HttpError(
        'ui_not_built',
        'the UI is not built yet: run `npm run build` (or `node_modules/.bin/bun scripts/build-web.ts`), then reload',
      )
    }
    return c.body(b.index, 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' })
  }
  for (const path of UI_PAGES) app.get(path, page)

  app.get(`${ASSETS_PREFIX}*`, function asset(c) {
    const file = current()?.assets.get(c.req.path.slice(ASSETS_PREFIX.length))
    if (!file) throw new HttpError('not_found', 'no such asset')
    return c.body(file.body, 200, {
      'Content-Type': file.contentType,
      // Names carry a content hash (scripts/build-web.ts): a changed file gets a new name.
      'Cache-Control': 'public, max-age=31536000, immutable',
    })
  })

  return app
}
