/**
 * How long and how deep the suite runs.
 *
 * - `TEST_TIMEOUT_MS` (default 120000): the per-test timeout the preload
 *   (test/setup.ts) applies. Sized for a 2-core machine that is busy with
 *   other work: a timeout is a guard against a hang, never a speed check.
 * - `TEST_DEPTH` (default 1): a whole-number multiplier for the case counts
 *   of the property and fuzz tests (`TEST_DEPTH=10 bun test test/render`
 *   runs ten times as many cases). Their timeouts grow with it.
 */
function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1, got ${JSON.stringify(raw)}`)
  return n
}

export const TEST_TIMEOUT_MS = positiveInteger('TEST_TIMEOUT_MS', 120_000)
export const TEST_DEPTH = positiveInteger('TEST_DEPTH', 1)

/** A property test's case count at the configured depth. */
export function cases(base: number): number {
  return base * TEST_DEPTH
}

/** The timeout of a test whose work grows with the depth. */
export function depthTimeout(base: number = TEST_TIMEOUT_MS): number {
  return base * TEST_DEPTH
}
