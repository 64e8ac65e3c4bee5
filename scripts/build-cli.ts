/**
 * The prebuilt Bun bundle of the CLI that bin/secrets runs while it is
 * fresh (src/cli/bundle/launch.ts):
 *
 *   dist/bun/cli.js       src/cli/bin.ts and everything it imports, CommonJS, minified
 *   dist/bun/cli.js.jsc   its bytecode, so Bun neither parses nor compiles it at start-up
 *   dist/bun/sources      the listing of the sources it was built from (src/cli/bundle/listing.ts)
 *
 * `bun scripts/build-cli.ts [ROOT]`; `npm run build` runs it too. The
 * listing is taken before bundling and written last, into a new directory
 * that replaces dist/bun whole, so a bundle is never run with a listing it
 * was not built from. pg stays external (PostgreSQL only).
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { BUNDLE_DIR, BUNDLE_ENTRY, BUNDLE_LISTING, sourceListing } from '../src/cli/bundle/listing.ts'

/** Builds ROOT/dist/bun; returns the bundle's size in bytes. */
export async function buildCliBundle(root: string): Promise<number> {
  const listing = sourceListing(root)
  const target = join(root, BUNDLE_DIR)
  const next = `${target}.next-${process.pid}`
  rmSync(next, { recursive: true, force: true })
  mkdirSync(next, { recursive: true })
  const result = await Bun.build({
    entrypoints: [join(root, 'src/cli/bin.ts')],
    outdir: next,
    naming: BUNDLE_ENTRY,
    target: 'bun',
    format: 'cjs',
    bytecode: true,
    minify: true,
    external: ['pg'],
  })
  if (!result.success) {
    rmSync(next, { recursive: true, force: true })
    throw new AggregateError(result.logs, 'the CLI bundle did not build')
  }
  writeFileSync(join(next, BUNDLE_LISTING), listing)
  const old = `${target}.old-${process.pid}`
  try {
    renameSync(target, old)
  } catch {
    // No bundle yet.
  }
  renameSync(next, target)
  rmSync(old, { recursive: true, force: true })
  return statSync(join(target, BUNDLE_ENTRY)).size
}

if (import.meta.main) {
  const root = resolve(process.argv[2] ?? join(import.meta.dir, '..'))
  const size = await buildCliBundle(root)
  console.log(`${BUNDLE_DIR}/${BUNDLE_ENTRY}: ${(size / 1024).toFixed(0)} KiB (+ bytecode)`)
}
