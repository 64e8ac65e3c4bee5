/**
 * The library: `import { render, decrypt, encrypt } from 'claude-hooks-secrets'`.
 *
 * The top-level functions use a default context opened once, lazily, from
 * the process environment (`CLAUDE_HOOKS_SECRET_KEY`, `DATABASE_URL`, ...).
 * For explicit control (tests, several stores) use {@link openSecrets} and
 * the returned service.
 */
import type { EncryptedValue } from './crypto/aes-gcm.ts'
import { encryptValue } from './crypto/aes-gcm.ts'
import type { Keyring } from './crypto/keyring.ts'
import { loadKeyring } from './key-sources.ts'
import { type Env, openSecrets, type SecretsContext } from './context.ts'
import { renderStream as renderByteStream, type RenderOptions, renderString } from './render/render.ts'
import { renderTemplates } from './render/templates.ts'
import { processEnv } from './runtime.ts'
import type { Actor, SealedSecret } from './secrets/service.ts'

export * from './errors.ts'
export { openSecrets, type Env, type SecretsContext } from './context.ts'
export { Keyring, computeKeyId } from './crypto/keyring.ts'
export type { EncryptedValue } from './crypto/aes-gcm.ts'
export { generateMasterKey } from './crypto/master-key.ts'
export { SecretsService, type Actor, type SecretMetadata, type SealedSecret, type AccessLogEntry } from './secrets/service.ts'
export { renderString, type RenderOptions, type ResolveAll, type ResolveOne } from './render/render.ts'
export type { RenderFormat } from './render/scanner.ts'
export { renderTemplates, type RenderedTemplates } from './render/templates.ts'
export {
  applyFilter,
  applyFilterToString,
  encodeBase64,
  encodeUrl,
  escapeJson,
  FILTER_NAMES,
  type FilterName,
  isFilterName,
  quoteShell,
} from './render/filters.ts'

let defaultContext: Promise<SecretsContext> | undefined
let defaultKeyring: Promise<Keyring> | undefined

/** The default context (opened on first use from the environment). */
export function secrets(): Promise<SecretsContext> {
  defaultContext ??= openSecrets(processEnv()).catch((e) => {
    defaultContext = undefined
    throw e
  })
  return defaultContext
}

/** Closes the default context, if it was opened. */
export async function closeSecrets(): Promise<void> {
  const ctx = defaultContext
  defaultContext = undefined
  if (ctx) await (await ctx).close()
}

/**
 * Encrypts `plain` for the secret `name` under the current master key:
 * `{ ciphertext, iv, auth_tag, key_id }` (AES-256-GCM, fresh 12-byte IV,
 * additional data `claude-hooks-secret:v1:` + name). Needs only the key.
 * @throws ConfigError when the master key is missing or malformed.
 */
export async function encrypt(plain: string | Uint8Array, name: string): Promise<EncryptedValue> {
  defaultKeyring ??= loadKeyring(processEnv()).catch((e) => {
    defaultKeyring = undefined
    throw e
  })
  const bytes = typeof plain === 'string' ? new TextEncoder().encode(plain) : new Uint8Array(plain)
  return encryptValue(await defaultKeyring, bytes, name)
}

/**
 * Decrypts a stored row for `accessor`, giving `reason`. The audit row is
 * written before the plaintext is returned; if it cannot be written, no
 * plaintext is returned.
 * @throws ValidationError, AuditWriteError, DecryptError, UnknownKeyError.
 */
export async function decrypt(row: SealedSecret, accessor: string, reason: string): Promise<string> {
  return (await secrets()).service.decrypt(row, accessor, reason)
}

/**
 * Renders a string body: `${SECRET:NAME}` becomes the value of NAME
 * (`${SECRET:NAME|FILTER}`: passed through a filter first). Every distinct
 * secret is decrypted and audited once, after all names were found to exist.
 * With `{ format: 'json' }` the body is JSON and values inside its strings
 * are JSON-escaped (docs/placeholders.md).
 * @throws MalformedPlaceholderError (line, column; in JSON mode also a
 *   placeholder outside any string without a filter); MissingSecretError
 *   whose `names` lists every missing name; AuditWriteError.
 */
export async function render(body: string, actor: Actor, options: RenderOptions = {}): Promise<string> {
  const { service } = await secrets()
  return renderString(body, (names) => service.resolveAll(names, actor), options)
}

/**
 * Renders a byte stream in one pass, decrypting and auditing each distinct
 * secret once, when first seen. If the output stream errors
 * (MissingSecretError, MalformedPlaceholderError), part of the output may
 * already have been read: discard it all.
 */
export function renderStream(
  input: ReadableStream<Uint8Array>,
  actor: Actor,
  options: RenderOptions = {},
): ReadableStream<Uint8Array<ArrayBuffer>> {
  return renderByteStream(
    input,
    async (name) => {
      const { service } = await secrets()
      return (await service.resolveAll([name], actor)).get(name)!
    },
    options,
  )
}

/**
 * The environment variables to give a child process: each template (e.g.
 * `{ GITHUB_TOKEN: '${SECRET:GITHUB_TOKEN}', URL: 'https://x:${SECRET:PW}@h' }`)
 * rendered with {@link renderString} (format raw). Every distinct secret is
 * decrypted and audited once, after all names were found to exist. Pass the
 * result in the child's environment (never its argv), e.g.
 * `spawn(cmd, args, { env: { ...process.env, ...(await secretEnv(t, actor)) } })`.
 * @throws MalformedPlaceholderError (prefixed with the variable's name);
 *   MissingSecretError listing every missing name; AuditWriteError.
 */
export async function secretEnv(templates: Readonly<Record<string, string>>, actor: Actor): Promise<Record<string, string>> {
  const { service } = await secrets()
  return (await renderTemplates(templates, (names) => service.resolveAll(names, actor))).rendered
}
