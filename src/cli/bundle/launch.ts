/**
 * What bin/secrets runs under Bun: a prebuilt bundle of the CLI (dist/bun,
 * bytecode, built by `npm run build`; entries.ts says which bundle a
 * command line runs) when it is fresh, the sources (src/cli/bin.ts)
 * otherwise. Fresh means the listing the build recorded equals the listing
 * of the sources now (listing.ts); anything else, a missing bundle or
 * listing included, runs the sources. The bundle saves loading about 150
 * modules one by one (Kysely alone is about 20 ms of a render's start-up).
 * `serve` always runs the sources: it starts once and lives long, so
 * start-up does not matter there.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUNDLES, bundleFor } from './entries.ts'
import { BUNDLE_DIR, BUNDLE_LISTING, sourceListing } from './listing.ts'

const root = join(import.meta.dir, '../../..')

/** The bundle's path when it may run for this command line, undefined otherwise. */
export function freshBundle(root: string, argv: string[], env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  if (argv[0] === 'serve') return undefined
  let recorded: string
  try {
    recorded = readFileSync(join(root, BUNDLE_DIR, BUNDLE_LISTING), 'utf8')
  } catch {
    return undefined
  }
  if (recorded !== sourceListing(root)) return undefined
  const bundle = join(root, BUNDLE_DIR, BUNDLES[bundleFor(argv, env)])
  return existsSync(bundle) ? bundle : undefined
}

if (import.meta.main) {
  const bundle = freshBundle(root, process.argv.slice(2))
  if (bundle) require(bundle)
  else await import('../bin.ts')
}
