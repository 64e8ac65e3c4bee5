/** The environment `secrets run` gives its command. */

/**
 * Never passed on, whatever the options: the master keys and the client
 * token (with their _FILE variants, which name where they are), and
 * systemd's CREDENTIALS_DIRECTORY, which names where the master key's
 * credential is (DESIGN.md, "Master key sources").
 */
export const WITHHELD: readonly string[] = [
  'CLAUDE_HOOKS_SECRET_KEY',
  'CLAUDE_HOOKS_SECRET_KEY_FILE',
  'CLAUDE_HOOKS_SECRET_KEY_PREVIOUS',
  'CLAUDE_HOOKS_SECRET_KEY_PREVIOUS_FILE',
  'CLAUDE_HOOKS_SECRETS_TOKEN',
  'CLAUDE_HOOKS_SECRETS_TOKEN_FILE',
  'CREDENTIALS_DIRECTORY',
]

/** What `--isolate` keeps of the caller's environment. */
export const ISOLATED_KEEP: readonly string[] = ['PATH', 'HOME', 'LANG', 'TERM', 'TZ']

/** The caller's environment (or, isolated, only ISOLATED_KEEP of it) without WITHHELD, plus the rendered variables. */
export function childEnv(
  parent: Readonly<Record<string, string | undefined>>,
  rendered: Readonly<Record<string, string>>,
  isolate: boolean,
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(parent)) {
    if (v === undefined || WITHHELD.includes(k)) continue
    if (isolate && !ISOLATED_KEEP.includes(k)) continue
    env[k] = v
  }
  return Object.assign(env, rendered)
}
