import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv, ListenAddress } from '../app-env.ts'
import { HttpError } from '../http-error.ts'

/** Names a loopback listener answers to besides its own bound address. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]']
const WILDCARD = new Set(['0.0.0.0', '::', '[::]', ''])
// A Host is a name, an IPv4 address or a bracketed IPv6 address, and an optional port: nothing else.
const HOST_SYNTAX = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/
/** Most allowed host texts remembered (any IP literal may be allowed on a wildcard listener). */
const MAX_REMEMBERED_HOSTS = 64
const IP_LITERAL = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/

/** The host name (lower case, as URL normalises it) and the port if one is given; undefined for anything that is not a host. */
function parseHost(host: string): { hostname: string; port: number | undefined } | undefined {
  if (!HOST_SYNTAX.test(host)) return undefined
  let url: URL
  try {
    url = new URL(`http://${host}`)
  } catch {
    return undefined
  }
  // URL drops port 80 for http:: read the port from the text itself.
  const explicit = /:([0-9]{1,5})$/.exec(host.startsWith('[') ? host.slice(host.indexOf(']')) : host)?.[1]
  return { hostname: url.hostname, port: explicit === undefined ? undefined : Number(explicit) }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/**
 * Which `Host` values a server answers to (docs/security.md, "Host header"):
 *
 * - the address it is bound to, with its port;
 * - bound to a loopback address: also `localhost`, `127.0.0.1` and `[::1]` at that port;
 * - bound to every interface (`0.0.0.0`, `::`): the loopback names and any IP
 *   literal at that port (an IP literal cannot be re-pointed by DNS, so it is
 *   no DNS-rebinding vector); other names only through `PUBLIC_ORIGIN`;
 * - the hosts of `publicOrigins` (`PUBLIC_ORIGIN`), at their ports (an
 *   origin without a port also matches its name without one: a TLS proxy
 *   forwards `Host: secrets.example.org` to a plain-HTTP listener).
 *
 * Without a listen address (app.request in tests: no socket) the loopback
 * names at any port. Both server adapters always pass one (server.ts).
 */
export class AllowedHosts {
  // `hostname:port` entries, and names that match without a port (PUBLIC_ORIGIN at its scheme's default port).
  readonly #keys = new Set<string>()
  readonly #bare = new Set<string>()
  readonly #anyIpAtPort: number | undefined
  readonly #loopbackAnyPort: boolean

  constructor(listen: ListenAddress | undefined, publicOrigins: readonly string[]) {
    for (const origin of publicOrigins) {
      // Behind a TLS proxy the Host names the public origin while the server speaks plain HTTP: match the name, port or not.
      const url = new URL(origin)
      const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
      this.#keys.add(`${url.hostname}:${port}`)
      if (url.port === '') this.#bare.add(url.hostname)
    }
    this.#loopbackAnyPort = listen === undefined
    this.#anyIpAtPort = listen !== undefined && WILDCARD.has(listen.host) ? listen.port : undefined
    if (listen === undefined) return
    const bound = listen.host.includes(':') && !listen.host.startsWith('[') ? `[${listen.host}]` : listen.host
    const names = isLoopback(listen.host) || WILDCARD.has(listen.host) ? [...LOOPBACK_NAMES, bound] : [bound]
    for (const name of names) {
      const entry = parseHost(name)
      if (entry) this.#keys.add(`${entry.hostname}:${listen.port}`)
    }
  }

  /** Hosts found allowed, by scheme and text: parsing costs two regular expressions and a URL per request otherwise. Bounded; refusals are never kept. */
  readonly #allowed = new Set<string>()

  /** Whether a request may name this host (a `Host` header, or the host of its URL) when it came in over `scheme`. */
  allows(host: string, scheme: 'http:' | 'https:'): boolean {
    const key = `${scheme}${host}`
    if (this.#allowed.has(key)) return true
    if (!this.#decide(host, scheme)) return false
    if (this.#allowed.size >= MAX_REMEMBERED_HOSTS) this.#allowed.clear()
    this.#allowed.add(key)
    return true
  }

  #decide(host: string, scheme: 'http:' | 'https:'): boolean {
    const entry = parseHost(host)
    if (!entry) return false
    if (entry.port === undefined && this.#bare.has(entry.hostname)) return true
    const port = entry.port ?? (scheme === 'https:' ? 443 : 80)
    if (this.#keys.has(`${entry.hostname}:${port}`)) return true
    if (this.#loopbackAnyPort && LOOPBACK_NAMES.includes(entry.hostname)) return true
    return port === this.#anyIpAtPort && IP_LITERAL.test(entry.hostname)
  }
}

/** 421: the request named a host this server is not (a DNS-rebinding page, a misrouted request). */
export const hostNotAllowed = () =>
  new HttpError('host_not_allowed', 'this server does not answer to that host name: use its own address, or add the name to PUBLIC_ORIGIN')

/**
 * Refuses, before any handler runs, a request whose `Host` header or URL
 * host is not one of the server's own ({@link AllowedHosts}): 421
 * `host_not_allowed` (logged by the request log like every answer; the
 * host itself is not logged, it is the client's text). A page whose DNS
 * name was re-pointed at 127.0.0.1 thus cannot log in or spend the login
 * throttle of the loopback address. On success `c.var.ownOrigin` holds the
 * request's verified origin, which is all the cross-site check trusts
 * (is-cross-site.ts).
 *
 * @param publicOrigins the `PUBLIC_ORIGIN` origins (public-origin.ts).
 */
export function checkHost(publicOrigins: readonly string[]): MiddlewareHandler<AppEnv> {
  const check = hostCheck(publicOrigins)
  return async function checkHost(c, next) {
    check(c)
    return next()
  }
}

/**
 * {@link checkHost}'s check as a plain function, for a middleware that runs
 * it with other steps (app.ts): sets `c.var.ownOrigin`, or throws the 421.
 */
export function hostCheck(publicOrigins: readonly string[]): (c: Context<AppEnv>) => void {
  let cached: { listen: ListenAddress | undefined; hosts: AllowedHosts; passed: Map<string, string> } | undefined
  const hostsFor = (listen: ListenAddress | undefined) => {
    if (cached === undefined || cached.listen?.host !== listen?.host || cached.listen?.port !== listen?.port) {
      cached = { listen, hosts: new AllowedHosts(listen, publicOrigins), passed: new Map() }
    }
    return cached
  }
  return function hostCheck(c) {
    const { hosts, passed } = hostsFor(c.env?.listening)
    const raw = c.req.url
    const header = c.req.header('Host')
    // Requests that passed, by the text of their URL up to the path and their Host header, with
    // their origin: that text decides both (parsing a URL a request cost about a microsecond).
    const key = passKey(raw, header)
    const known = key === undefined ? undefined : passed.get(key)
    if (known !== undefined) {
      c.set('ownOrigin', known)
      return
    }
    // Bun hands a request without Host (HTTP/1.0) a bare path as its URL: no host, refused.
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw hostNotAllowed()
    }
    const scheme = url.protocol === 'https:' ? 'https:' : 'http:'
    // Both must be ours: the URL is what the cross-site check compares Origin with.
    if ((header !== undefined && !hosts.allows(header, scheme)) || !hosts.allows(url.host, scheme)) throw hostNotAllowed()
    if (key !== undefined) {
      if (passed.size >= MAX_REMEMBERED_HOSTS) passed.clear()
      passed.set(key, url.origin)
    }
    c.set('ownOrigin', url.origin)
  }
}

/**
 * `http://host:port` of an absolute http(s) URL (all up to the path's
 * first `/`: the scheme and authority, which alone make its origin) and
 * the Host header, or undefined for a URL of another shape. No header and
 * an empty one give different keys.
 */
function passKey(url: string, header: string | undefined): string | undefined {
  const start = url.startsWith('http://') ? 7 : url.startsWith('https://') ? 8 : -1
  if (start < 0) return undefined
  const end = url.indexOf('/', start)
  if (end < 0) return undefined
  return header === undefined ? url.slice(0, end) : `${url.slice(0, end)}\n${header}`
}
