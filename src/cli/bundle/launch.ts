/**
 * What bin/secrets runs under Bun: a prebuilt bundle of the CLI (dist/bun,
 * bytecode, built by `npm run build`, scripts/build-cli.ts) when it is
 * fresh, the sources (src/cli/bin.ts) otherwise. The bundles save loading
 * about 150 modules one by one (Kysely alone is about 20 ms of a render's
 * start-up). `serve` always runs the sources: it starts once and lives
 * long, so start-up does not matter there.
 *
 * Which bundle: each narrow bundle holds only what its command lines can
 * reach, so a process loads less bytecode: the commands that read secrets
 * (`render`, `get`, `run`: an agent's commands) get one without the other
 * commands (the server, the UI, the admin commands), and in client mode one
 * without the store, the keys and the local renderer too.
 *
 * Fresh: the build records a listing of what the bundles were built from
 * (every file and directory under src/ and migrations/ with its size,
 * modification and change times, the package manifests, and the Bun
 * version: the bytecode is Bun's), taken before it bundles, each source
 * file marked with the bundles built from it; a bundle runs only while the
 * paths it depends on, stat'd now, give the same listing, byte for byte
 * (listingNow: one stat a path, no directory read; an entry added, removed
 * or renamed anywhere changes its directory's times, and every bundle
 * depends on every directory). An edit to a file the bundle holds, a new or
 * deleted file anywhere, a file put back with an older time, an `npm
 * install` or another Bun all change it; so does a source edited while the
 * build ran. Anything else, a missing bundle or listing included, runs the
 * sources.
 *
 * One file on purpose: every module the launcher imports is one more
 * TypeScript file to read and transpile at every start (about 0.5 ms each).
 * The build also compiles this file to dist/bun/launch.js (bytecode), which
 * bin/secrets runs when it exists: the same check, without reading and
 * compiling this file at every start. A stale launch.js stays right: it
 * compares the listing its own build recorded, so any change since (this
 * file included) makes it run the sources.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** Where the bundles live, relative to the package root. */
export const BUNDLE_DIR = 'dist/bun'
/** The listing the bundles were built from, relative to BUNDLE_DIR. */
export const BUNDLE_LISTING = 'sources'

/** This launcher, built, under BUNDLE_DIR (bin/secrets runs it when present). */
export const LAUNCHER = 'launch.js'

/** Each bundle's file under BUNDLE_DIR. */
export const BUNDLES = {
  /** Every command. */
  cli: 'cli.js',
  /** `secrets render`, `get` and `run` (READ_COMMANDS; named for the first), local. */
  render: 'render.js',
  /** `secrets render`, `get` and `run` with CLAUDE_HOOKS_SECRETS_URL set: client mode only. */
  client: 'client.js',
} as const

/** A bundle's name. */
export type BundleName = keyof typeof BUNDLES

/** The commands that read secrets, which the render and client bundles hold (in client mode they never open the store). */
export const READ_COMMANDS: ReadonlySet<string> = new Set(['render', 'get', 'run'])

/**
 * The bundle that can run `argv` in `env`. Client mode is chosen by
 * CLAUDE_HOOKS_SECRETS_URL being set and not empty, exactly as
 * client-mode.ts decides it; with it set, render, get and run either go to
 * the server or refuse (a bad URL or token: exit 78), never read the store.
 */
export function bundleFor(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): BundleName {
  if (!READ_COMMANDS.has(argv[0] ?? '')) return 'cli'
  return env.CLAUDE_HOOKS_SECRETS_URL ? 'client' : 'render'
}

const TREES = ['src', 'migrations']
const FILES = ['package.json', 'package-lock.json', 'bunfig.toml', 'tsconfig.json', 'node_modules/.package-lock.json']
/** A change this recent may share its timestamp with the next one (the kernel's clock ticks); the build waits it out. */
const SETTLE_MS = 25
const SETTLE_TRIES = 40

/** The header line of a listing: the bytecode is this Bun's. */
const header = () => `bun ${Bun.version} ${Bun.revision}\n`
/** The last line of a listing, its count of entries: a listing cut short is never taken for a shorter one. */
const trailer = (listing: string) => `end ${listing.split('\n').length - 2}\n`

/** Each bundle's letter in the third field of a listing line: the bundles built from that file. */
export const BUNDLE_TAGS: Record<BundleName, string> = { cli: 'c', render: 'r', client: 'k' }
/** The third field of a line every bundle depends on (directories, manifests, the launcher). */
export const EVERY_BUNDLE = '*'

/**
 * What is at `path` now, as a listing records it. Modification and change
 * times both: the second cannot be set back, so a file put back with its
 * old modification time still differs; a directory's change when an entry
 * is added, removed or renamed in it.
 */
function entry(base: string, path: string): string {
  let s: ReturnType<typeof statSync>
  try {
    s = statSync(base + path, { throwIfNoEntry: false })
  } catch {
    s = undefined
  }
  return s === undefined ? `${path}\tabsent` : `${path}\t${s.isDirectory() ? 'd' : 'f'} ${s.size} ${s.mtimeMs} ${s.ctimeMs}`
}

/**
 * The listing of the sources under `root` as they are now, taken by the
 * build (scripts/build-cli.ts): every file and directory under src/ and
 * migrations/, then the manifests, one line each, `path TAB what is there
 * TAB which bundles hold it` (here EVERY_BUNDLE; the build narrows a source
 * file's to the bundles built from it). Waits (a second at most) while
 * anything listed changed in the last SETTLE_MS, so that any later change
 * gets a later timestamp than the one recorded even where the kernel's
 * clock is coarse.
 */
export function sourceListing(root: string): string {
  const base = root.endsWith('/') ? root : `${root}/`
  // Bounded: a change time ahead of the clock (the clock set back) would never settle.
  for (let tries = 1; ; tries++) {
    const now = Date.now()
    let out = header()
    let newest = 0
    const line = (path: string) => {
      const text = entry(base, path)
      out += `${text}\t${EVERY_BUNDLE}\n`
      const ctime = Number(text.slice(text.lastIndexOf(' ') + 1))
      if (ctime > newest) newest = ctime
    }
    for (const tree of TREES) {
      line(tree)
      let names: string[]
      try {
        names = (readdirSync(base + tree, { recursive: true }) as string[]).sort()
      } catch {
        continue
      }
      for (const name of names) line(`${tree}/${name}`)
    }
    for (const file of FILES) line(file)
    if (newest <= now - SETTLE_MS || tries === SETTLE_TRIES) return out + trailer(out)
    Bun.sleepSync(SETTLE_MS)
  }
}

/**
 * The listing `recorded` names, taken again now for `bundle` (for every
 * bundle when undefined): one stat a path it names that the bundle depends
 * on, no directory read (an entry added, removed or renamed anywhere under
 * src/ or migrations/ changes the times of a directory it names). A line of
 * a source file no part of the bundle was built from is kept as recorded:
 * the bundle holds none of its code. Equal to `recorded` exactly when
 * nothing the bundle depends on changed.
 */
export function listingNow(root: string, recorded: string, bundle?: BundleName): string {
  const base = root.endsWith('/') ? root : `${root}/`
  const tag = bundle === undefined ? undefined : BUNDLE_TAGS[bundle]
  let out = header()
  let at = recorded.indexOf('\n') + 1
  if (at === 0) return out
  const last = recorded.lastIndexOf('\n', recorded.length - 2) + 1
  while (at < last) {
    const end = recorded.indexOf('\n', at)
    const tab = recorded.indexOf('\t', at)
    const tags = recorded.lastIndexOf('\t', end)
    if (tab < 0 || tab >= tags) return `${out}malformed\n`
    const of = recorded.slice(tags + 1, end)
    if (tag === undefined || of === EVERY_BUNDLE || of.includes(tag)) out += `${entry(base, recorded.slice(at, tab))}\t${of}\n`
    else out += recorded.slice(at, end + 1)
    at = end + 1
  }
  return out + trailer(out)
}

/** The bundle's path when it may run for this command line, undefined otherwise. */
export function freshBundle(root: string, argv: string[], env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  if (argv[0] === 'serve') return undefined
  let recorded: string
  try {
    recorded = readFileSync(join(root, BUNDLE_DIR, BUNDLE_LISTING), 'utf8')
  } catch {
    return undefined
  }
  const name = bundleFor(argv, env)
  if (recorded !== listingNow(root, recorded, name)) return undefined
  const bundle = join(root, BUNDLE_DIR, BUNDLES[name])
  return existsSync(bundle) ? bundle : undefined
}

if (import.meta.main) {
  // This file runs as src/cli/bundle/launch.ts, or built (scripts/build-cli.ts) as dist/bun/launch.js,
  // CommonJS bytecode: no top-level await there; where it is from the path it was started by (the
  // build writes its own path in place of import.meta.dir and __filename alike: a package moved or
  // copied after its build would check, and run, the bundles of the tree it was built in); and a
  // specifier held in a variable, so the build does not pull the sources it falls back to into the launcher.
  const self = resolve(process.argv[1]!)
  const root = join(self, self.endsWith('.ts') ? '../../../..' : '../../..')
  const bundle = freshBundle(root, process.argv.slice(2))
  const sources = join(root, 'src/cli/bin.ts')
  if (bundle) require(bundle)
  else void import(sources)
}
