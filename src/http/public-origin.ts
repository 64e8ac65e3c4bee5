import { ConfigError } from '../errors.ts'

/** What `PUBLIC_ORIGIN` turns into: createApp's `trustedOrigins` and `secureCookies`. */
export interface PublicOriginSettings {
  trustedOrigins: string[]
  secureCookies: boolean
}

/**
 * Reads `PUBLIC_ORIGIN`: the origin(s) browsers use to reach the server when
 * a proxy stands in front (`https://secrets.example.org`, comma-separated
 * for several). Behind a TLS-terminating proxy the server sees plain HTTP,
 * so its own origin differs from the browser's `Origin` header: mutations
 * from these origins are accepted, and an `https:` one makes session
 * cookies Secure. Unset or empty: the server's own origin only, Secure only
 * over HTTPS.
 *
 * @throws ConfigError when an entry is not a bare http(s) origin (a path,
 *   query or credentials included), naming the variable.
 */
export function publicOriginSettings(value: string | undefined): PublicOriginSettings {
  const entries = (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
  const trustedOrigins = entries.map((entry) => {
    let url: URL
    try {
      url = new URL(entry)
    } catch {
      throw new ConfigError('PUBLIC_ORIGIN must be a comma-separated list of origins like https://secrets.example.org')
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry.replace(/\/$/, '')) {
      throw new ConfigError('PUBLIC_ORIGIN entries must be bare origins (scheme://host[:port]), without path, query or credentials')
    }
    return url.origin
  })
  return { trustedOrigins, secureCookies: trustedOrigins.some((o) => o.startsWith('https:')) }
}
