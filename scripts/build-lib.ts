/**
 * The library for Node 20+: `import … from 'claude-hooks-secrets'` outside Bun
 * and Deno, which read src/index.ts itself (package.json `exports`).
 *
 *   dist/index.js     src/index.ts bundled for Node (ESM), dependencies left external
 *   dist/types/src/   its declarations (`tsc -p tsconfig.lib.json`, one .d.ts per source file)
 *
 * The declarations keep the sources' `./x.ts` specifiers; TypeScript resolves
 * those to the `x.d.ts` beside them, so a consumer needs no special option
 * (test/library-node.test.ts type-checks one with `module: NodeNext`).
 *
 * `npm run build` (scripts/build.ts) calls {@link buildLib}; `bun scripts/build-lib.ts`
 * runs it alone.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'

/** Builds dist/index.js and dist/types/ under `root`; throws with the bundler's or tsc's messages when either fails. */
export async function buildLib({ root }: { root: string }): Promise<void> {
  rmSync(join(root, 'dist', 'index.js'), { force: true })
  rmSync(join(root, 'dist', 'types'), { recursive: true, force: true })
  const result = await Bun.build({
    entrypoints: [join(root, 'src/index.ts')],
    outdir: join(root, 'dist'),
    naming: 'index.js',
    target: 'node',
    format: 'esm',
    packages: 'external',
  })
  if (!result.success) throw new Error(`dist/index.js: ${result.logs.join('\n')}`)
  const tsc = Bun.spawn([join(root, 'node_modules/.bin/tsc'), '-p', join(root, 'tsconfig.lib.json')], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  if ((await tsc.exited) !== 0) throw new Error('dist/types: tsc -p tsconfig.lib.json failed (above)')
  console.log(`dist/index.js: ${(result.outputs[0]!.size / 1024).toFixed(0)} KiB, declarations in dist/types/`)
}

if (import.meta.main) await buildLib({ root: join(import.meta.dir, '..') })
