/**
 * Where `secrets serve` listens: `--host`/HOST and `--port`/PORT checked
 * before the store opens, and a listen that fails for the address's sake
 * told as such. A flag that breaks its rule is a usage error (exit 2), the
 * variable a configuration error (exit 78), both naming which one. Without
 * this, a bad HOST surfaced as the runtime's words ("EINVAL: invalid
 * argument, listen", "baseURI must have a hostname") or, for ENOTFOUND, as
 * "the database does not answer".
 */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { ConfigError } from '../errors.ts'
import { UsageError } from './command.ts'

/** Where a setting came from: the flag or the environment variable. */
export type SettingSource = 'flag' | 'env'

function settingError(source: SettingSource, message: string): Error {
  return source === 'flag' ? new UsageError(message) : new ConfigError(message)
}

/** A port from 0 to 65535 (0: a free one). */
export function parsePort(text: string, source: SettingSource): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN
  if (port >= 0 && port <= 65_535) return port
  throw settingError(source, `${source === 'flag' ? '--port' : 'PORT'} must be a port number from 0 to 65535`)
}

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens, 63 each, 253 in all.
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`, 'i')

/**
 * An IPv4 or IPv6 address (brackets around an IPv6 address are taken off)
 * or a host name; the host name must resolve. Names the flag or variable
 * when it is neither, or does not resolve.
 */
export async function parseHost(text: string, source: SettingSource): Promise<string> {
  const what = source === 'flag' ? '--host' : 'HOST'
  const bracketed = /^\[(.*)\]$/.exec(text)
  const host = bracketed && isIP(bracketed[1]!) === 6 ? bracketed[1]! : text
  if (isIP(host) !== 0) return host
  // A name of digits and dots only is an IPv4 address that is not one (999.1.1.1).
  if (!HOST_NAME.test(host) || /^[\d.]+$/.test(host)) {
    throw settingError(source, `${what} must be an IP address or a host name, e.g. 127.0.0.1, ::1, 0.0.0.0 or localhost`)
  }
  try {
    await lookup(host)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    throw new ConfigError(`${what} ${host} does not resolve to an address${typeof code === 'string' ? ` (${code})` : ''}`)
  }
  return host
}

/** Where `serve` was asked to listen, and where each setting came from. */
export interface ListenAddress {
  host: string
  hostSource: SettingSource
  port: number
  portSource: SettingSource
}

/**
 * A listen error told in the setting's words: an address this machine does
 * not have, or a name the runtime could not listen on (a ConfigError naming
 * HOST or --host); a port below 1024 without the privilege (a ConfigError
 * naming PORT or --port); a port in use (exit 1, not 78: the port may be free
 * at the next start, and the systemd units restart on 1 but not on 78).
 * Anything else is returned as it was. Bun and Node both set `code`; their
 * messages differ ("Failed to start server. Is port N in use?").
 */
export function listenFailure(err: unknown, at: ListenAddress): unknown {
  const code = (err as { code?: unknown } | null)?.code
  const hostWhat = at.hostSource === 'flag' ? '--host' : 'HOST'
  const portWhat = at.portSource === 'flag' ? '--port' : 'PORT'
  if (code === 'EADDRNOTAVAIL') return new ConfigError(`${hostWhat} ${at.host} is not an address of this machine (EADDRNOTAVAIL)`)
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EINVAL') {
    return new ConfigError(`cannot listen on ${hostWhat} ${at.host} (${code})`)
  }
  if (code === 'EADDRINUSE') {
    const address = `${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`
    return new Error(`cannot listen on ${address}: the port is in use (EADDRINUSE); stop what listens there, or set another ${portWhat}`)
  }
  if (code === 'EACCES') {
    const hint = at.port > 0 && at.port < 1024 ? ': ports below 1024 need root or CAP_NET_BIND_SERVICE' : ''
    return new ConfigError(`${portWhat} ${at.port} cannot be listened on by this user on ${at.host} (EACCES)${hint}`)
  }
  return err
}
