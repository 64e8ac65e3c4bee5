/**
 * Which JavaScript runtime this is, decided once: the one place that looks.
 * The layers below the edges never ask (DESIGN.md: the runtime is chosen at
 * the edges only: the store's SQLite driver, the server start, the library's
 * environment).
 */
type Env = Record<string, string | undefined>

interface RuntimeGlobals {
  Bun?: typeof import('bun')
  Deno?: { env: { toObject(): Env } }
  process?: { env: Env }
}

const g = globalThis as RuntimeGlobals

/** `bun`, `deno` or `node` (anything else with a `process` counts as Node). */
export const RUNTIME: 'bun' | 'deno' | 'node' = g.Bun ? 'bun' : g.Deno ? 'deno' : 'node'

/** The `Bun` global, or undefined off Bun. */
export function bunGlobal(): typeof import('bun') | undefined {
  return g.Bun
}

/** The process environment on Bun, Node or Deno (empty where there is none). */
export function processEnv(): Env {
  return g.process?.env ?? g.Deno?.env.toObject() ?? {}
}
