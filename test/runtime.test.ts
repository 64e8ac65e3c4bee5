/**
 * src/runtime.ts is the one place that asks which runtime this is
 * (docs/architecture.md): under `bun test` it says Bun, and no other source
 * file looks for itself (`typeof Bun`, `globalThis.Bun`, `typeof Deno`); the
 * files that ask it are the edges the page lists.
 */
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { bunGlobal, processEnv, RUNTIME } from '../src/runtime.ts'

const root = join(import.meta.dir, '..')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return sources(path)
    return /\.tsx?$/.test(e.name) ? [path] : []
  })
}

const files = sources(join(root, 'src')).map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') }))

describe('runtime', () => {
  test('says Bun under bun test, with its global and environment', () => {
    expect(RUNTIME).toBe('bun')
    expect(bunGlobal()).toBe(Bun)
    expect(processEnv()).toBe(process.env)
  })

  test('no other source file asks which runtime it runs on', () => {
    const asking = /typeof\s+(?:Bun|Deno)\s*[!=]==|globalThis\.(?:Bun|Deno)\b/
    const offenders = files.filter((f) => f.path !== 'src/runtime.ts' && asking.test(f.text)).map((f) => f.path)
    expect(offenders).toEqual([])
  })

  test('the files that ask src/runtime.ts are the edges docs/architecture.md names', () => {
    const askers = files.filter((f) => /from '(?:\.\.?\/)+runtime\.ts'/.test(f.text)).map((f) => f.path).sort()
    expect(askers).toEqual([
      'src/audit/chain-hasher.ts',
      'src/cli/render/pipe-size.ts',
      'src/cli/run/child.ts',
      'src/cli/terminal.ts',
      'src/http/server.ts',
      'src/index.ts',
      'src/store/sqlite-handle.ts',
    ])
    const page = readFileSync(join(root, 'docs/architecture.md'), 'utf8')
    for (const path of askers) expect(page).toContain(path.replace(/^src\//, '`src/'))
  })
})
