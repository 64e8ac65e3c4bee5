/**
 * `npm run build`: everything a Node 20+ deployment runs.
 *
 *   dist/cli.js   the `secrets` CLI and server for Node (`node dist/cli.js serve`),
 *                 dependencies left external (better-sqlite3, pg, hono, kysely, ...)
 *   dist/bun/     the CLI bundle bin/secrets runs under Bun while it is fresh (scripts/build-cli.ts)
 *   web/dist/     the UI bundle (scripts/build-web.ts), served by both runtimes
 *   dist/index.js, dist/types/  the library for Node with its declarations (scripts/build-lib.ts)
 */
import { chmodSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { buildCliBundle } from './build-cli.ts'
import { buildLib } from './build-lib.ts'
import { buildWeb } from './build-web.ts'

const root = join(import.meta.dir, '..')
rmSync(join(root, 'dist'), { recursive: true, force: true })
const result = await Bun.build({
  entrypoints: [join(root, 'src/cli/bin.ts')],
  outdir: join(root, 'dist'),
  naming: 'cli.js',
  target: 'node',
  format: 'esm',
  packages: 'external',
  banner: '#!/usr/bin/env node',
})
if (!result.success) {
  for (const log of result.logs) console.error(log)
  process.exit(1)
}
chmodSync(join(root, 'dist/cli.js'), 0o755)
console.log(`dist/cli.js: ${(result.outputs[0]!.size / 1024).toFixed(0)} KiB`)
console.log(`dist/bun/cli.js: ${((await buildCliBundle(root)) / 1024).toFixed(0)} KiB (+ bytecode)`)
await buildWeb({ root })
await buildLib({ root })
