/** Default token lifetime: 90 days. */
export const DEFAULT_TOKEN_TTL_MS = 90 * 86_400_000
/** Longest token lifetime: 10 years (a token should expire some day). */
export const MAX_TOKEN_TTL_MS = 3650 * 86_400_000

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }
const TTL_SHAPE = /^([1-9][0-9]{0,5})([mhdw])$/

/**
 * A token lifetime like `30d`, `12h`, `90m` or `4w`, in milliseconds;
 * undefined when the text is not one, or is longer than 10 years.
 */
export function parseTtl(text: string): number | undefined {
  const m = TTL_SHAPE.exec(text)
  if (!m) return undefined
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!
  return ms <= MAX_TOKEN_TTL_MS ? ms : undefined
}

/** The rule, for error messages. */
export const TTL_RULE = 'must be a whole number and a unit, m, h, d or w (30d, 12h), at most 3650d'
