/** Where a `DATABASE_URL` points, parsed without opening anything (and without Kysely: sqlite-reader.ts). */
import { ConfigError } from '../errors.ts'

/** The default `DATABASE_URL`: a SQLite file beside the working directory. */
export const DEFAULT_DATABASE_URL = 'file:./data/secrets.db'

/** Where a `DATABASE_URL` points. */
export type DatabaseLocation =
  | { kind: 'sqlite'; path: string | ':memory:' }
  | { kind: 'postgres'; url: string }

/**
 * Parses a `DATABASE_URL`: `file:PATH` (or a bare path) for SQLite,
 * `file::memory:` / `:memory:` for an in-memory SQLite database, and
 * `postgres://` / `postgresql://` for PostgreSQL.
 * @throws ConfigError for another scheme, or a `file://` URL that does not parse.
 */
export function parseDatabaseUrl(url: string = DEFAULT_DATABASE_URL): DatabaseLocation {
  if (url === ':memory:' || url === 'file::memory:') return { kind: 'sqlite', path: ':memory:' }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url }
  if (url.startsWith('file://')) return { kind: 'sqlite', path: fileUrlPath(url) }
  if (url.startsWith('file:')) return { kind: 'sqlite', path: url.slice('file:'.length) }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new ConfigError('DATABASE_URL must start with file: (SQLite) or postgres:// (PostgreSQL)')
  }
  return { kind: 'sqlite', path: url }
}


/** The path of a `file://` URL; a ConfigError (exit 78) that names DATABASE_URL, not the URL parser's words, when it does not parse. */
function fileUrlPath(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname)
  } catch {
    throw new ConfigError('DATABASE_URL does not parse as a file:// URL (a bad host or %-escape); write file:///absolute/path, file:/absolute/path or file:relative/path')
  }
}
