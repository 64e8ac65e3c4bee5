/**
 * The prebuilt bundles (scripts/build-cli.ts) and which one a command line
 * runs. Each narrow bundle holds only what its command lines can reach, so
 * a process loads less bytecode: `render` gets a bundle without the other
 * commands (the server, the UI, the admin commands), and `render` in client
 * mode one without the store, the keys and the local renderer too.
 */

/** Each bundle's file under dist/bun. */
export const BUNDLES = {
  /** Every command. */
  cli: 'cli.js',
  /** `secrets render`, local or client mode. */
  render: 'render.js',
  /** `secrets render` with CLAUDE_HOOKS_SECRETS_URL set: client mode only. */
  'render-client': 'render-client.js',
} as const

/** A bundle's name. */
export type BundleName = keyof typeof BUNDLES

/**
 * The bundle that can run `argv` in `env`. Client mode is chosen by
 * CLAUDE_HOOKS_SECRETS_URL being set and not empty, exactly as
 * client-mode.ts decides it; with it set, render either goes to the server
 * or refuses (a bad URL or token: exit 78), never renders locally.
 */
export function bundleFor(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): BundleName {
  if (argv[0] !== 'render') return 'cli'
  return env.CLAUDE_HOOKS_SECRETS_URL ? 'render-client' : 'render'
}
