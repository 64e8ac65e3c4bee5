/**
 * One line naming why the database could not be opened: where it is (host,
 * port, database and user for PostgreSQL; the file for SQLite; never the
 * password) and the driver's reason in words. The CLI prints it, the
 * server logs it; before, every failure read "database migration unknown
 * failed" with the cause hidden.
 */
import { resolve } from 'node:path'
import { ConfigError, SecretsError } from '../errors.ts'
import type { DatabaseLocation } from './database.ts'

/** The database could not be reached or opened (exit 1: it may come back). */
export class StoreUnavailableError extends SecretsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_unavailable', message, options)
  }
}

/** The error's code, looking inside an AggregateError (Node tries each address of a host). */
export function errorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return ''
  const e = error as { code?: unknown; errors?: unknown[] }
  if (e.code !== undefined) return String(e.code)
  return e.errors?.length ? errorCode(e.errors[0]) : ''
}

/** Connection-level failures: the store does not answer (as opposed to a refused statement). */
const UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300', '3D000', '28P01', '28000',
])
const UNAVAILABLE_MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/, /^Client has encountered a connection error/]

/** Whether a driver error means the store is not there (down, unreachable, refusing this login). */
export function isUnavailable(error: unknown): boolean {
  if (UNAVAILABLE.has(errorCode(error))) return true
  const message = (error as { message?: unknown } | null)?.message
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message))
}

/** Where a location is, in words, without its password. */
export function describeLocation(location: DatabaseLocation): string {
  if (location.kind === 'sqlite') return location.path === ':memory:' ? 'SQLite in memory' : `SQLite file ${resolve(location.path)}`
  let url: URL
  try {
    url = new URL(location.url)
  } catch {
    return 'PostgreSQL (DATABASE_URL does not parse as a URL)'
  }
  const host = url.searchParams.get('host') ?? (url.hostname || 'localhost')
  const port = url.port || '5432'
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(the user name)'
  const user = decodeURIComponent(url.username) || '(the OS user)'
  return `PostgreSQL at ${host}:${port}, database ${database}, user ${user}`
}

function reason(error: unknown, location: DatabaseLocation): string {
  const code = errorCode(error)
  const message = String((error as { message?: unknown } | null)?.message ?? error).split('\n')[0]!
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused: nothing is listening there (is the server running? host and port right?)'
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'the host name does not resolve'
    case 'ETIMEDOUT': return 'the connection timed out'
    case 'EHOSTUNREACH': case 'ENETUNREACH': return 'the host is unreachable'
    case '28P01': return 'password authentication failed (wrong password for that user)'
    case '28000': return `the server refuses this login (pg_hba.conf, or no such role): ${message}`
    case '3D000': return 'the database does not exist (create it, or fix the name in DATABASE_URL)'
    case '57P03': return 'the server is starting up or shutting down; try again'
    case '53300': return 'the server has no free connection slots'
    case 'SQLITE_NOTADB': return 'the file is not a SQLite database'
    case 'SQLITE_CANTOPEN': return 'the file cannot be opened (missing directory, or permissions)'
    case 'EACCES': case 'EPERM': return 'permission denied (the file or its directory belongs to another user?)'
    case 'ENOENT': return 'no such file or directory'
    case 'EROFS': return 'the file system is read-only'
    default: {
      const text = location.kind === 'postgres' ? redact(message, location.url) : message
      return code ? `${text} (${code})` : text
    }
  }
}

/** Removes the URL's password from a message, should a driver ever echo it. */
function redact(message: string, url: string): string {
  try {
    const password = decodeURIComponent(new URL(url).password)
    return password ? message.replaceAll(password, '***') : message
  } catch {
    return message
  }
}

/** `WHERE: WHY` in one line, e.g. `PostgreSQL at db:5432, database secrets, user app: connection refused: …`. */
export function describeFailure(error: unknown, location: DatabaseLocation): string {
  return `${describeLocation(location)}: ${reason(error, location)}`
}

/**
 * The error to report when opening (connecting, migrating) failed. Logins
 * refused and missing databases are configuration (ConfigError, exit 78);
 * an unreachable server may come back (StoreUnavailableError, exit 1).
 * Errors already ours pass through.
 */
export function openError(error: unknown, location: DatabaseLocation): Error {
  if (error instanceof SecretsError) return error
  if (errorCode(error) === 'ERR_INVALID_URL') {
    // The driver's URL parser refused it before connecting: configuration, and its message would say only "Invalid URL".
    return new ConfigError('DATABASE_URL does not parse as a postgres:// URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE, with @ : / % in the password percent-encoded', { cause: error })
  }
  const line = `cannot open the database (${describeLocation(location)}): ${reason(error, location)}`
  const code = errorCode(error)
  if (['28P01', '28000', '3D000', 'SQLITE_NOTADB'].includes(code)) return new ConfigError(line, { cause: error })
  return new StoreUnavailableError(line, { cause: error })
}
