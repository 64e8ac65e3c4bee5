import type { Context } from 'hono'

/**
 * Whether a request comes from another site: `Sec-Fetch-Site` says
 * `cross-site` or `same-site` (a sibling subdomain is another site here), or
 * an `Origin` header is present and is neither this server's origin (scheme,
 * host and port of the request URL) nor one of `trustedOrigins`. `Origin:
 * null` (sandboxed frames, some redirects) counts as another site.
 *
 * A request with neither header (curl, scripts) is not cross-site: browsers
 * send `Origin` on every cross-origin POST, PUT and DELETE.
 */
export function isCrossSite(c: Context, trustedOrigins: readonly string[]): boolean {
  const site = c.req.header('Sec-Fetch-Site')
  if (site === 'cross-site' || site === 'same-site') return true
  const origin = c.req.header('Origin')
  if (origin === undefined) return false
  return origin !== new URL(c.req.url).origin && !trustedOrigins.includes(origin)
}
