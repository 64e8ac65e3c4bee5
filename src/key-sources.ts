/**
 * Where the master keys come from (DESIGN.md, "Master key sources"): exactly
 * one of an environment variable, a file named by `…_FILE`, or a systemd
 * credential in `$CREDENTIALS_DIRECTORY`; the same, separately, for the
 * previous keys. Kept out of src/crypto/ because it reads files (node:fs),
 * which the Web-standards core does not.
 */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Keyring } from './crypto/keyring.ts'
import { KEY_VARIABLE, parseMasterKey, parsePreviousKeys, PREVIOUS_KEYS_VARIABLE } from './crypto/master-key.ts'
import { ConfigError } from './errors.ts'

/** The variable naming a file that holds the current master key. */
export const KEY_FILE_VARIABLE = `${KEY_VARIABLE}_FILE`
/** The variable naming a file that holds the previous master keys. */
export const PREVIOUS_KEYS_FILE_VARIABLE = `${PREVIOUS_KEYS_VARIABLE}_FILE`
/** The systemd credential (`LoadCredential=` / `LoadCredentialEncrypted=`) holding the current master key. */
export const KEY_CREDENTIAL = 'claude-hooks-secret-key'
/** The systemd credential holding the previous master keys. */
export const PREVIOUS_KEYS_CREDENTIAL = 'claude-hooks-secret-key-previous'

/** Every variable that names or holds a master key: removed from process.env once read. */
export const KEY_VARIABLES: readonly string[] = [KEY_VARIABLE, KEY_FILE_VARIABLE, PREVIOUS_KEYS_VARIABLE, PREVIOUS_KEYS_FILE_VARIABLE]

type Env = Readonly<Record<string, string | undefined>>

/** One key's text and where it came from (the name every error message uses; never the key). */
export interface KeyText {
  readonly text: string | undefined
  readonly where: string
}

/** The current and previous keys' texts, each from its one source. */
export interface KeyTexts {
  readonly current: KeyText
  readonly previous: KeyText
}

interface Kind {
  what: string
  variable: string
  fileVariable: string
  credential: string
}

const CURRENT: Kind = { what: 'the master key is', variable: KEY_VARIABLE, fileVariable: KEY_FILE_VARIABLE, credential: KEY_CREDENTIAL }
const PREVIOUS: Kind = { what: 'the previous master keys are', variable: PREVIOUS_KEYS_VARIABLE, fileVariable: PREVIOUS_KEYS_FILE_VARIABLE, credential: PREVIOUS_KEYS_CREDENTIAL }

const set = (v: string | undefined): v is string => v !== undefined && v !== ''

/**
 * Reads a key file, refusing one its group or others may access: a key
 * readable by other users is no longer the service's alone.
 */
function readKeyFile(path: string, where: string, checkMode: boolean): string {
  let mode: number
  try {
    mode = statSync(path).mode
  } catch (e) {
    throw new ConfigError(`${where}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  if (checkMode && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0')
    throw new ConfigError(`${where} is readable or writable by its group or others (mode ${octal}): \`chmod 600\` it`)
  }
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    throw new ConfigError(`${where}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
  }
}

function credentialPath(env: Env, name: string): string | undefined {
  const dir = env.CREDENTIALS_DIRECTORY
  if (!set(dir)) return undefined
  const path = join(dir, name)
  try {
    statSync(path)
    return path
  } catch {
    // No such credential: not a source (the directory may hold others).
    return undefined
  }
}

/**
 * The text of one kind of key from its single source; undefined text when
 * none is set. Multi-key files may separate entries by commas or newlines.
 * @throws ConfigError naming both sources when two are set, or the file that cannot be used.
 */
function readKind(env: Env, kind: Kind): KeyText {
  const credential = credentialPath(env, kind.credential)
  const sources = [
    set(env[kind.variable]) ? kind.variable : undefined,
    set(env[kind.fileVariable]) ? kind.fileVariable : undefined,
    credential ? `the systemd credential ${kind.credential}` : undefined,
  ].filter((s): s is string => s !== undefined)
  if (sources.length > 1) {
    throw new ConfigError(`${kind.what} given twice: ${sources.join(' and ')}; set exactly one of them`)
  }
  // A file's lines end in a newline: the last one is not part of the key.
  const multi = (text: string) => (kind === PREVIOUS ? text.trim().split(/\s*\n\s*/).join(',') : text.replace(/\r?\n$/, ''))
  if (set(env[kind.variable])) return { text: env[kind.variable], where: kind.variable }
  if (set(env[kind.fileVariable])) {
    const where = `${kind.fileVariable} (${env[kind.fileVariable]})`
    return { text: multi(readKeyFile(env[kind.fileVariable]!, where, true)), where }
  }
  if (credential) {
    // systemd makes the credential readable by the service alone; its mode is not ours to judge.
    const where = `the systemd credential ${kind.credential}`
    return { text: multi(readKeyFile(credential, where, false)), where }
  }
  return { text: undefined, where: kind.variable }
}

// What was taken from process.env (and then removed from it), for the next open in this process.
let taken: KeyTexts | undefined

/**
 * Reads the current and previous master keys' texts from their sources.
 * When `env` is the process environment, the key variables are deleted from
 * it once read (so no child process inherits them), and what they held is
 * kept for later opens in this process.
 * @throws ConfigError when a kind of key has two sources or its file cannot be used.
 */
export function readKeyTexts(env: Env): KeyTexts {
  const processEnv = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env
  const live = processEnv !== undefined && env === processEnv
  if (live && taken && !KEY_VARIABLES.some((v) => v in processEnv)) return taken
  try {
    const texts = { current: readKind(env, CURRENT), previous: readKind(env, PREVIOUS) }
    if (live) taken = texts
    return texts
  } finally {
    if (live) for (const v of KEY_VARIABLES) delete processEnv[v]
  }
}

/**
 * The keyring from whichever source holds each key (see {@link readKeyTexts}).
 * @throws ConfigError for a missing, malformed or doubly given key; messages
 *   name the source, never key material.
 */
export async function loadKeyring(env: Env): Promise<Keyring> {
  return startKeyring(env)
}

/**
 * {@link loadKeyring} in two steps: every check (a missing, malformed or
 * doubly given key throws here, synchronously), then the import, which runs
 * on WebCrypto's threads while the caller goes on (a local render opens its
 * database meanwhile: secrets/sqlite-reader.ts).
 * @throws ConfigError as loadKeyring.
 */
export function startKeyring(env: Env): Promise<Keyring> {
  const { current, previous } = readKeyTexts(env)
  if (current.text === undefined) {
    throw new ConfigError(
      `${KEY_VARIABLE} is not set (nor ${KEY_FILE_VARIABLE}, nor the systemd credential ${KEY_CREDENTIAL}): ` +
        'it must hold a base64-encoded 32-byte key; make one with `openssl rand -base64 32` or `npx secrets keygen`',
    )
  }
  const key = parseMasterKey(current.text, current.where)
  let older: Uint8Array<ArrayBuffer>[]
  try {
    older = parsePreviousKeys(previous.text, previous.where)
  } catch (e) {
    key.fill(0)
    throw e
  }
  return Keyring.fromRawKeys(key, older)
}
