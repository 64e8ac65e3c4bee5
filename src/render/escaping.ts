/**
 * Escapings: what is done to a value where a placeholder stands, given its
 * filter and, in JSON mode, whether it sits inside a JSON string. The scanner
 * decides one per placeholder and hands it to its handler as a small integer
 * code, so the hot path carries no strings or objects.
 *
 * The rules (docs/placeholders.md, "Filters" and "The JSON context"):
 * - `--format raw`: the filter, or the value as it is without one.
 * - `--format json`, inside a JSON string: without a filter the value is
 *   JSON-escaped; `|raw` inserts it as it is (the operator's explicit
 *   choice); `|json` escapes it once (not twice: it names what the context
 *   does anyway); any other filter applies and its output is JSON-escaped
 *   too, so the string stays valid JSON and parses to exactly the filter's
 *   output. Only `sh` output can need it (`url` and `base64` output is
 *   ASCII letters, digits and `%+/=-._~`, which JSON keeps as they are), so
 *   `sh` inside a string is its own escaping, `sh+json`.
 * - `--format json`, outside any string: the filter, as in raw mode; without
 *   a filter the placeholder is an error (scanner.ts).
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */
import { encodeBase64, encodeUrl, escapeJson, FILTER_NAMES, quoteShell } from './filters.ts'

/** Escaping codes. 0-4 are the filters of the same index in FILTER_NAMES. */
export const ESCAPING = {
  raw: 0,
  json: 1,
  sh: 2,
  url: 3,
  base64: 4,
  /** `sh`, then JSON-escaped: `|sh` inside a JSON string. */
  shJson: 5,
} as const

/** An escaping code (see {@link ESCAPING}). */
export type Escaping = (typeof ESCAPING)[keyof typeof ESCAPING]

/** Number of escaping codes: codes are 0 to ESCAPING_COUNT - 1. */
export const ESCAPING_COUNT = 6

/** Names of the escapings, by code, as `secrets render --check` prints them. */
export const ESCAPING_LABELS: readonly string[] = [...FILTER_NAMES, 'sh+json']

/** Filter code meaning "no filter given" (the scanner's). */
export const NO_FILTER = -1

/** The escaping of a placeholder with filter code `filter` (or NO_FILTER) inside a JSON string. */
export function escapingInJsonString(filter: number): Escaping {
  if (filter === NO_FILTER) return ESCAPING.json
  if (filter === ESCAPING.sh) return ESCAPING.shJson
  return filter as Escaping
}

/**
 * Applies an escaping to a value. The result may be `value` itself when
 * nothing changes; do not modify it.
 */
export function applyEscaping(escaping: Escaping, value: Uint8Array): Uint8Array {
  switch (escaping) {
    case ESCAPING.raw:
      return value
    case ESCAPING.json:
      return escapeJson(value)
    case ESCAPING.sh:
      return quoteShell(value)
    case ESCAPING.url:
      return encodeUrl(value)
    case ESCAPING.base64:
      return encodeBase64(value)
    case ESCAPING.shJson: {
      const quoted = quoteShell(value)
      const out = escapeJson(quoted)
      // Hygiene: the intermediate copy holds the secret too.
      if (out !== quoted) quoted.fill(0)
      return out
    }
  }
  throw new Error(`unknown escaping code ${escaping as number}`)
}
