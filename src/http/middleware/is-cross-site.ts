import type { Context } from 'hono'
import type { AppEnv } from '../app-env.ts'

/**
 * Whether a request comes from another site: `Sec-Fetch-Site` says
 * `cross-site` or `same-site` (a sibling subdomain is another site here), or
 * an `Origin` header is present and is neither this server's origin nor one
 * of `trustedOrigins`. This server's origin is the one checkHost verified
 * (`c.var.ownOrigin`), never one merely built from the request's `Host`: a
 * DNS-rebinding page sends a Host and an Origin that match each other.
 * Without checkHost in front, every Origin but a trusted one is foreign. `Origin:
 * null` (sandboxed frames, some redirects) counts as another site.
 *
 * A request with neither header (curl, scripts) is not cross-site: browsers
 * send `Origin` on every cross-origin POST, PUT and DELETE.
 */
export function isCrossSite(c: Context<AppEnv>, trustedOrigins: readonly string[]): boolean {
  const site = c.req.header('Sec-Fetch-Site')
  if (site === 'cross-site' || site === 'same-site') return true
  const origin = c.req.header('Origin')
  if (origin === undefined) return false
  return origin !== c.get('ownOrigin') && !trustedOrigins.includes(origin)
}
