import { MissingSecretError } from '../../../src/errors.ts'
import type { ResolveAll } from '../../../src/render/render.ts'

/**
 * A resolver over a fixed value map that records each call's names and,
 * like the service, refuses every missing name at once.
 */
export function resolverOf(values: ReadonlyMap<string, Uint8Array>): ResolveAll & { calls: string[][] } {
  const calls: string[][] = []
  const fn: ResolveAll = async (names) => {
    calls.push(names)
    const missing = names.filter((n) => !values.has(n))
    if (missing.length > 0) throw new MissingSecretError(missing)
    return new Map(names.map((n) => [n, values.get(n)!]))
  }
  return Object.assign(fn, { calls })
}
