/** Exit codes of the `secrets` command (DESIGN.md). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** A placeholder names a missing secret, or is malformed. */
  placeholder: 3,
  /** Configuration (sysexits EX_CONFIG): bad or missing master key, unknown key ids, bad DATABASE_URL. */
  config: 78,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]
