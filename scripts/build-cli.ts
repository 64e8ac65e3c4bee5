/**
 * The prebuilt Bun bundles of the CLI that bin/secrets runs while they are
 * fresh (src/cli/bundle/launch.ts):
 *
 *   dist/bun/cli.js            src/cli/bin.ts and everything it imports, CommonJS, minified
 *   dist/bun/render.js         the same with `render`, `get` and `run` as the only commands
 *   dist/bun/client.js         `render`, `get` and `run` in client mode only: no store, no key code, no local renderer
 *   dist/bun/kysely.js         Kysely alone, which render.js loads from here when a path imports it (KYSELY_APART)
 *   dist/bun/launch.js         src/cli/bundle/launch.ts itself, which bin/secrets runs when present
 *   dist/bun/*.js.jsc          their bytecode, so Bun neither parses nor compiles them at start-up
 *   dist/bun/sources           the listing of the sources they were built from (src/cli/bundle/launch.ts)
 *
 * A process pays for loading the whole bytecode file it runs, the modules it
 * never evaluates included (measured: the client render's modules alone,
 * 30 KiB of bytecode, against 1.7 MiB with the store's and the server's left
 * in unused: 7 ms of CPU), and Bun's bytecode needs CommonJS, which cannot
 * be split into chunks. So each narrow bundle is built from the same entry,
 * with the modules its command line never reaches replaced by a stub that
 * throws if it were ever evaluated (it is not: launch.ts picks the bundle
 * by the command line (bundleFor), and main.ts loads only the command named).
 *
 * `bun scripts/build-cli.ts [ROOT]`; `npm run build` runs it too. The
 * listing is taken before bundling and written last, into a new directory
 * that replaces dist/bun whole, so a bundle is never run with a listing it
 * was not built from. pg stays external (PostgreSQL only).
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import type { BunPlugin } from 'bun'
import { BUNDLE_DIR, BUNDLE_LISTING, BUNDLE_TAGS, BUNDLES, type BundleName, LAUNCHER, READ_COMMANDS, sourceListing } from '../src/cli/bundle/launch.ts'

/** Source files (relative to the root) each narrow bundle leaves out, and the command modules it keeps (null: all). */
const LEFT_OUT: Record<BundleName, { commands: ReadonlySet<string> | null; files: string[] }> = {
  cli: { commands: null, files: [] },
  render: { commands: READ_COMMANDS, files: [] },
  client: {
    commands: READ_COMMANDS,
    // The local render: the renderer over files, the store and the keys (context.ts), the --check table.
    files: ['src/cli/render/render-file.ts', 'src/cli/render/spool.ts', 'src/context.ts', 'src/secrets/sqlite-reader.ts', 'src/cli/table.ts'],
  },
}

/**
 * Bundles that load Kysely from its own bytecode file (KYSELY_BUNDLE) when
 * first imported, rather than holding it: a local render on a ready SQLite
 * store never imports it (src/secrets/sqlite-reader.ts), and loading a
 * bundle costs for every module in it, evaluated or not.
 */
const KYSELY_APART: ReadonlySet<BundleName> = new Set(['render'])

/** Kysely alone, CommonJS bytecode, beside the bundles (see KYSELY_APART). */
export const KYSELY_BUNDLE = 'kysely.js'

/** Replaces the modules `name` leaves out by a stub that throws when evaluated. */
function leaveOut(root: string, name: BundleName): BunPlugin {
  const { commands: kept, files } = LEFT_OUT[name]
  const out = new Set(files.map((f) => join(root, f)))
  const commands = join(root, 'src/cli/commands')
  return {
    name: `secrets-${name}-bundle`,
    setup(build) {
      if (KYSELY_APART.has(name)) {
        build.onResolve({ filter: /^kysely$/ }, () => ({ path: 'kysely', namespace: 'kysely-apart' }))
        // Relative to the running bundle (the `require` a bundle's modules get is the bundle file's own), as an
        // expression the bundler does not fold into a path it would follow at build time.
        build.onLoad({ filter: /.*/, namespace: 'kysely-apart' }, () => ({
          contents: `module.exports = require(['.', ${JSON.stringify(KYSELY_BUNDLE)}].join('/'))\n`,
          loader: 'js',
        }))
      }
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const path = resolve(dirname(args.importer), args.path)
        const otherCommand = kept !== null && dirname(path) === commands && !kept.has(basename(path, '.ts'))
        if (!otherCommand && !out.has(path)) return undefined
        return { path, namespace: 'left-out' }
      })
      build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`internal: ${args.path.slice(root.length + 1)} is not in the ${name} bundle (scripts/build-cli.ts)`)})\n`,
        loader: 'js',
      }))
    },
  }
}

/**
 * `listing` (sourceListing) with each source file's line marked with the
 * bundles built from it, so that a bundle's check stats only what it holds
 * (launch.ts, listingNow). Directories, manifests and the launcher's own
 * files stay marked for every bundle.
 */
export function markBundles(listing: string, from: ReadonlyArray<readonly [BundleName, readonly string[]]>, every: ReadonlySet<string>): string {
  const sets = from.map(([name, inputs]) => [BUNDLE_TAGS[name], new Set(inputs)] as const)
  return listing.replace(/^([^\t\n]+)\t(f [^\t\n]*)\t\*$/gm, (line, path: string, what: string) => {
    if (every.has(path) || !(path.startsWith('src/') || path.startsWith('migrations/'))) return line
    return `${path}\t${what}\t${sets.flatMap(([tag, inputs]) => (inputs.has(path) ? [tag] : [])).join('')}`
  })
}

/** Builds ROOT/dist/bun; returns the size of the full bundle (cli.js) in bytes. */
export async function buildCliBundle(root: string): Promise<number> {
  const listing = sourceListing(root)
  const target = join(root, BUNDLE_DIR)
  const next = `${target}.next-${process.pid}`
  rmSync(next, { recursive: true, force: true })
  mkdirSync(next, { recursive: true })
  // One CommonJS bytecode file of `entry` named `naming`; the whole build is dropped if it fails.
  // Returns the files it was built from, relative to the root.
  const build = async (entry: string, naming: string, what: string, more: Partial<Parameters<typeof Bun.build>[0]> = {}) => {
    const result = await Bun.build({ entrypoints: [entry], outdir: next, naming, target: 'bun', format: 'cjs', bytecode: true, minify: true, metafile: true, ...more })
    if (!result.success || !result.metafile) {
      rmSync(next, { recursive: true, force: true })
      throw new AggregateError(result.logs, `${what} did not build`)
    }
    return Object.keys(result.metafile.inputs).map((input) => relative(root, resolve(input)))
  }
  const from: Array<[BundleName, string[]]> = []
  for (const name of Object.keys(BUNDLES) as BundleName[]) {
    const inputs = await build(join(root, 'src/cli/bin.ts'), BUNDLES[name], `the ${name} bundle of the CLI`, {
      external: ['pg'],
      plugins: name === 'cli' ? [] : [leaveOut(root, name)],
    })
    from.push([name, inputs])
  }
  await build(Bun.resolveSync('kysely', root), KYSELY_BUNDLE, 'the Kysely bundle of the CLI')
  // The launcher: picks the bundle and checks the listing; the sources it falls back to stay outside it.
  // Every bundle depends on it (it is the check), as on every directory and manifest.
  const launcher = new Set(await build(join(root, 'src/cli/bundle/launch.ts'), LAUNCHER, 'the launcher of the CLI bundles'))
  writeFileSync(join(next, BUNDLE_LISTING), markBundles(listing, from, launcher))
  const old = `${target}.old-${process.pid}`
  try {
    renameSync(target, old)
  } catch {
    // No bundle yet.
  }
  renameSync(next, target)
  rmSync(old, { recursive: true, force: true })
  return statSync(join(target, BUNDLES.cli)).size
}

if (import.meta.main) {
  const root = resolve(process.argv[2] ?? join(import.meta.dir, '..'))
  await buildCliBundle(root)
  for (const file of Object.values(BUNDLES)) {
    console.log(`${BUNDLE_DIR}/${file}: ${(statSync(join(root, BUNDLE_DIR, file)).size / 1024).toFixed(0)} KiB (+ bytecode)`)
  }
}
