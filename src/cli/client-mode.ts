import { fstatSync, openSync, readFileSync, closeSync } from 'node:fs'
import { clientTokenId } from '../clients/token-shape.ts'
import { ConfigError } from '../errors.ts'

/** Where the CLI sends its requests in client mode, and the token it sends. */
export interface ClientModeSettings {
  /** The server's base URL, without a trailing slash. */
  url: string
  /** The `chs_…` token. Never printed, never in argv. */
  token: string
}

const URL_VAR = 'CLAUDE_HOOKS_SECRETS_URL'
const TOKEN_VAR = 'CLAUDE_HOOKS_SECRETS_TOKEN'
const TOKEN_FILE_VAR = 'CLAUDE_HOOKS_SECRETS_TOKEN_FILE'

/** Reads a token file: refused when group- or world-accessible, like an SSH key. */
function readTokenFile(path: string): string {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    throw new ConfigError(`${TOKEN_FILE_VAR}: cannot read ${path} (${(e as { code?: string }).code ?? 'error'})`)
  }
  try {
    const mode = fstatSync(fd).mode
    if ((mode & 0o077) !== 0) {
      throw new ConfigError(`${TOKEN_FILE_VAR}: ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`)
    }
    return readFileSync(fd, 'utf8').replace(/\r?\n$/, '')
  } finally {
    closeSync(fd)
  }
}

/**
 * Client mode (docs/clients.md): when `CLAUDE_HOOKS_SECRETS_URL` is set, the
 * CLI asks that server instead of opening a store, with the token of
 * `CLAUDE_HOOKS_SECRETS_TOKEN` or the file `CLAUDE_HOOKS_SECRETS_TOKEN_FILE`
 * (exactly one). Undefined when no client-mode variable is set.
 *
 * @throws ConfigError (exit 78) for a URL that is not http(s), a URL
 *   without a token, both token sources, a token file
 *   others can read, or a token that is not `chs_…` shaped; the message
 *   never holds the token.
 */
export function clientModeSettings(env: Readonly<Record<string, string | undefined>>): ClientModeSettings | undefined {
  const url = env[URL_VAR] || undefined
  const inline = env[TOKEN_VAR] || undefined
  const file = env[TOKEN_FILE_VAR] || undefined
  // Without the URL the command runs locally (DESIGN.md: both select client
  // mode); a token variable left in the environment is then only not passed
  // on by `secrets run`.
  if (url === undefined) return undefined
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigError(`${URL_VAR} is not a URL (expected http://host:port or https://host)`)
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new ConfigError(`${URL_VAR} must be an http:// or https:// URL without user, query or fragment`)
  }
  if (inline !== undefined && file !== undefined) throw new ConfigError(`both ${TOKEN_VAR} and ${TOKEN_FILE_VAR} are set: keep one`)
  if (inline === undefined && file === undefined) {
    throw new ConfigError(`${URL_VAR} is set but no token: set ${TOKEN_FILE_VAR} (or ${TOKEN_VAR}) to a token from \`secrets client token NAME\``)
  }
  const token = inline ?? readTokenFile(file!)
  if (clientTokenId(token) === undefined) {
    throw new ConfigError(`${inline !== undefined ? TOKEN_VAR : TOKEN_FILE_VAR} does not hold a client token (chs_ and 43 base64url characters)`)
  }
  return { url: parsed.href.replace(/\/+$/, ''), token }
}
