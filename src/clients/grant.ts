/**
 * Grants: which secret names a client may read. A pattern is an exact
 * secret name (`GITHUB_TOKEN`), a prefix ending in `*` (`GITHUB_*` covers
 * `GITHUB_TOKEN` and `GITHUB_` itself, not `GITHUBX`), or `*` alone, which
 * covers every secret and is only ever written on purpose: nothing else
 * expands to it. Matching is case-sensitive, like names.
 */

/** The pattern rule: a name, a name prefix and `*`, or `*`. */
export const GRANT_PATTERN = /^(?:\*|[A-Z][A-Z0-9_]{0,127}|[A-Z][A-Z0-9_]{0,126}\*)$/

/** Whether `pattern` covers the secret `name`. */
export function grantCovers(pattern: string, name: string): boolean {
  if (pattern === '*') return true
  if (pattern.endsWith('*')) return name.startsWith(pattern.slice(0, -1))
  return pattern === name
}

/** Whether any of `patterns` covers `name`. */
export function grantsCover(patterns: readonly string[], name: string): boolean {
  return patterns.some((p) => grantCovers(p, name))
}

/** The distinct names of `names` that no pattern covers, in first-seen order. */
export function notCovered(patterns: readonly string[], names: readonly string[]): string[] {
  return [...new Set(names)].filter((n) => !grantsCover(patterns, n))
}

/** A grant list as stored: distinct patterns, sorted, so a list reads the same however it was given. */
export function normalizeGrants(patterns: readonly string[]): string[] {
  return [...new Set(patterns)].sort()
}
