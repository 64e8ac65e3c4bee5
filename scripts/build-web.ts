/**
 * Longer than the usual 300 lines: the build, its manifest and its staleness
 * check are one contract (what `ensureWebBuild` trusts is what `buildWeb` wrote).
 *
 * Builds the operator UI (web/) into web/dist:
 *
 *   web/dist/index.html           references the assets by absolute path, no inline script or style
 *   web/dist/assets/main-<h>.js   minified bundle of web/main.tsx (Preact + signals + the app)
 *   web/dist/assets/chunk-*-<h>.js  the parts the app imports dynamically (web/src/screens/lazy-screens.tsx)
 *                                 and the code they share, fetched when first needed
 *   web/dist/assets/main-<h>.css  the stylesheet imported by main.tsx
 *   web/dist/assets/favicon-<h>.svg
 *   web/dist/manifest.json        { sourceHash, files } so callers can tell a stale build
 *
 * Asset names carry a content hash, so the server may cache /assets/* forever;
 * index.html is the only file that must be revalidated.
 *
 * Run `bun scripts/build-web.ts` to build unconditionally and print the sizes,
 * `--if-stale` to build only when the sources changed, `--out-dir DIR` to
 * write elsewhere. Import {@link ensureWebBuild} from the server start or a
 * test to get a fresh build at most once per process.
 *
 * The bundler is Bun.build. Under Node (the `node dist/cli.js` path) a stale
 * build is delegated to node_modules/.bin/bun, so nothing global is needed.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

/**
 * The repository root. This file is scripts/build-web.ts; bundled into
 * dist/cli.js it is still one directory below the root, so `..` holds in both.
 */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Where to read sources and write the build. */
export interface WebBuildOptions {
  /** repository root; defaults to {@link REPO_ROOT} */
  root?: string
  /** output directory; defaults to `<root>/web/dist` */
  outDir?: string
  /** no size report on stdout */
  quiet?: boolean
}

/** Contents of web/dist/manifest.json. */
export interface WebManifest {
  /** {@link webSourceHash} of the sources this build came from */
  sourceHash: string
  /** every file of the build, relative to the output directory, '/'-separated */
  files: string[]
}

/** Byte counts of one output, minified and gzip-compressed (level 9). */
export interface SizeFigure {
  bytes: number
  gzip: number
}

/** What {@link buildWeb} produced. */
export interface WebBuildResult {
  manifest: WebManifest
  /** URL paths the page loads, e.g. `/assets/main-1a2b3c4d.js` */
  paths: { js: string; css: string; icon: string }
  sizes: {
    js: SizeFigure
    css: SizeFigure
    html: SizeFigure
    icon: SizeFigure
    /** what opening the console fetches: index.html, the entry and the chunks it imports statically, the CSS, the icon */
    firstLoad: SizeFigure
    /** the chunks fetched later, when a lazy part is first shown, by URL path */
    lazy: Record<string, SizeFigure>
    /** every file of the build */
    total: SizeFigure
  }
}

const ENTRY = 'main.tsx'
const ICON = 'favicon.svg'

function resolveOptions(options: WebBuildOptions) {
  const root = options.root ?? REPO_ROOT
  return { root, webDir: join(root, 'web'), outDir: options.outDir ?? join(root, 'web', 'dist'), quiet: options.quiet ?? false }
}

/** Every source file under web/ (not web/dist, not dot-files), sorted, as absolute paths. */
export function listWebSources(root: string = REPO_ROOT): string[] {
  const webDir = join(root, 'web')
  const out: string[] = []
  function walk(dir: string) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (path === join(webDir, 'dist') || entry.name === 'node_modules') continue
        walk(path)
      } else if (entry.isFile()) {
        out.push(path)
      }
    }
  }
  walk(webDir)
  return out.sort()
}

/**
 * SHA-256 over the path and bytes of every web/ source file, plus this build
 * script itself: a change to the build options must invalidate a build as
 * surely as a change to a component.
 */
export function webSourceHash(root: string = REPO_ROOT): string {
  const hash = createHash('sha256')
  const files = [...listWebSources(root), join(root, 'scripts', 'build-web.ts')]
  for (const file of files) {
    if (!existsSync(file)) continue
    // Path and length framing, so moving bytes between files changes the hash.
    const bytes = readFileSync(file)
    hash.update(`${relative(root, file).split(sep).join('/')}\0${bytes.length}\0`)
    hash.update(bytes)
  }
  return hash.digest('hex')
}

/** The manifest of the build in `outDir`, or null when missing or unreadable. */
export function readWebManifest(outDir: string): WebManifest | null {
  try {
    const parsed = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as Partial<WebManifest>
    if (typeof parsed.sourceHash !== 'string' || !Array.isArray(parsed.files)) return null
    return { sourceHash: parsed.sourceHash, files: parsed.files.filter((f): f is string => typeof f === 'string') }
  } catch {
    // Missing or half-written: either way the build must be redone.
    return null
  }
}

/** Whether `outDir` holds a complete build of the current sources. */
export function isWebBuildFresh(options: WebBuildOptions = {}): boolean {
  const { root, outDir } = resolveOptions(options)
  const manifest = readWebManifest(outDir)
  if (!manifest || manifest.sourceHash !== webSourceHash(root)) return false
  return manifest.files.every((file) => existsSync(join(outDir, file)))
}

/**
 * The page shell. Nothing inline: the server's CSP is `default-src 'self'`,
 * so the script and stylesheet are files, and the module script needs no
 * `defer` (modules are deferred already).
 */
export function renderIndexHtml(paths: { js: string; css: string; icon: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>Secrets · claude-hooks-secrets</title>
<link rel="icon" type="image/svg+xml" href="${paths.icon}">
<link rel="stylesheet" href="${paths.css}">
<script type="module" src="${paths.js}"></script>
</head>
<body>
<div id="app"></div>
<noscript><p>This page needs JavaScript. The command line works without it: npx secrets --help</p></noscript>
</body>
</html>
`
}

function size(bytes: Uint8Array): SizeFigure {
  return { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
}

/** Writes through a temporary name and a rename, so a reader never sees half a file. */
function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`
  writeFileSync(tmp, data)
  renameSync(tmp, path)
}

/**
 * Bundles web/main.tsx and writes the whole of web/dist (see the file
 * comment). Assets are written before index.html, and manifest.json last, so
 * a manifest on disk always describes a complete build. Assets of earlier
 * builds are removed afterwards.
 *
 * @throws Error when the bundler reports errors (their messages included)
 */
export async function buildWeb(options: WebBuildOptions = {}): Promise<WebBuildResult> {
  const { root, webDir, outDir, quiet } = resolveOptions(options)
  if (typeof Bun === 'undefined') {
    await buildWithBunBinary(root, outDir, quiet)
    const manifest = readWebManifest(outDir)
    if (!manifest) throw new Error(`web build: ${outDir}/manifest.json missing after the Bun build`)
    return summarize(outDir, manifest)
  }

  const sourceHash = webSourceHash(root)
  const result = await Bun.build({
    entrypoints: [join(webDir, ENTRY)],
    target: 'browser',
    format: 'esm',
    minify: true,
    // Every dynamic import() becomes a file of its own, fetched when first needed.
    splitting: true,
    naming: { entry: '[name]-[hash].[ext]', asset: '[name]-[hash].[ext]', chunk: 'chunk-[name]-[hash].[ext]' },
    // Preact reads no env, but libraries commonly do; make production explicit.
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  if (!result.success) {
    const messages = result.logs.map((log) => String(log)).join('\n')
    throw new Error(`web build failed:\n${messages}`)
  }

  const assetsDir = join(outDir, 'assets')
  mkdirSync(assetsDir, { recursive: true })
  const files: string[] = []
  let js: string | undefined
  let css: string | undefined
  for (const output of result.outputs) {
    const name = basename(output.path)
    writeAtomic(join(assetsDir, name), new Uint8Array(await output.arrayBuffer()))
    files.push(`assets/${name}`)
    if (output.kind === 'entry-point' && name.endsWith('.js')) js = `/assets/${name}`
    else if (name.endsWith('.css')) css = `/assets/${name}`
  }
  if (!js || !css) throw new Error(`web build: expected one entry .js and one .css output, got ${files.join(', ')}`)

  const iconBytes = readFileSync(join(webDir, ICON))
  const iconName = `favicon-${createHash('sha256').update(iconBytes).digest('hex').slice(0, 8)}.svg`
  writeAtomic(join(assetsDir, iconName), iconBytes)
  files.push(`assets/${iconName}`)
  const paths = { js, css, icon: `/assets/${iconName}` }

  writeAtomic(join(outDir, 'index.html'), renderIndexHtml(paths))
  files.push('index.html')
  const manifest: WebManifest = { sourceHash, files: files.sort() }
  writeAtomic(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)

  // Old hashed assets only waste space; the names just written are all a fresh page needs.
  const keep = new Set(files.map((file) => basename(file)))
  for (const name of readdirSync(assetsDir)) {
    if (!keep.has(name)) rmSync(join(assetsDir, name), { force: true })
  }

  const summary = summarize(outDir, manifest)
  if (!quiet) printSizes(summary)
  return summary
}

/** The chunks `file` imports statically (`from"./chunk-….js"`), not the `import("./…")` ones fetched later. */
function staticImports(source: string): string[] {
  return [...source.matchAll(/\bfrom\s*"\.\/(chunk-[^"/]+\.js)"/g)].map((m) => `assets/${m[1]}`)
}

function summarize(outDir: string, manifest: WebManifest): WebBuildResult {
  const pick = (pattern: RegExp) => manifest.files.find((f) => pattern.test(f)) ?? ''
  const jsFile = pick(/^assets\/main-[^/]+\.js$/)
  const cssFile = pick(/^assets\/[^/]+\.css$/)
  const iconFile = pick(/^assets\/[^/]+\.svg$/)
  const read = (file: string) => new Uint8Array(readFileSync(join(outDir, file)))
  const sizes = new Map(manifest.files.map((file) => [file, size(read(file))]))
  const of = (file: string) => sizes.get(file) ?? { bytes: 0, gzip: 0 }
  // Each file is compressed on its own on the wire; the sum of those is the honest total.
  const sum = (files: Iterable<string>) => [...files].reduce((n, f) => ({ bytes: n.bytes + of(f).bytes, gzip: n.gzip + of(f).gzip }), { bytes: 0, gzip: 0 })

  const first = new Set(['index.html', jsFile, cssFile, iconFile])
  const pending = [jsFile]
  while (pending.length > 0) {
    for (const chunk of staticImports(new TextDecoder().decode(read(pending.pop()!)))) {
      if (!first.has(chunk)) pending.push(chunk)
      first.add(chunk)
    }
  }
  const lazy = manifest.files.filter((f) => f.endsWith('.js') && !first.has(f))
  return {
    manifest,
    paths: { js: `/${jsFile}`, css: `/${cssFile}`, icon: `/${iconFile}` },
    sizes: {
      js: of(jsFile),
      css: of(cssFile),
      html: of('index.html'),
      icon: of(iconFile),
      firstLoad: sum(first),
      lazy: Object.fromEntries(lazy.map((f) => [`/${f}`, of(f)])),
      total: sum(manifest.files),
    },
  }
}

function printSizes({ paths, sizes }: WebBuildResult): void {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`
  const row = (label: string, s: SizeFigure) => `  ${label.padEnd(28)} ${kb(s.bytes).padStart(9)} min ${kb(s.gzip).padStart(9)} gzip`
  console.log('web build:')
  console.log(row(paths.js, sizes.js))
  console.log(row(paths.css, sizes.css))
  console.log(row('/index.html', sizes.html))
  console.log(row(paths.icon, sizes.icon))
  console.log(row('first load (the four above)', sizes.firstLoad))
  for (const [path, figure] of Object.entries(sizes.lazy)) console.log(row(path, figure))
  console.log(row('total', sizes.total))
}

/** Node has no Bun.build: run this script under the Bun that npm installed. */
function buildWithBunBinary(root: string, outDir: string, quiet: boolean): Promise<void> {
  const bun = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'bun.exe' : 'bun')
  const script = join(root, 'scripts', 'build-web.ts')
  const args = [script, '--out-dir', outDir, ...(quiet ? ['--quiet'] : [])]
  return new Promise((resolve, reject) => {
    const child = spawn(bun, args, { cwd: root, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] })
    child.on('error', (error) => reject(new Error(`web build: cannot run ${bun}: ${error.message}`)))
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`web build: ${bun} exited with ${code}`))))
  })
}

// One build at a time per output directory within a process: the server start
// and a test asking together share the same promise.
const pending = new Map<string, Promise<void>>()

/**
 * Makes sure `web/dist` (or `outDir`) holds a build of the current sources,
 * rebuilding only when it is missing, incomplete or its `sourceHash` differs.
 * Quiet unless it rebuilds.
 *
 * @throws Error when a needed rebuild fails
 */
export function ensureWebBuild(options: WebBuildOptions = {}): Promise<void> {
  const { outDir } = resolveOptions(options)
  const inFlight = pending.get(outDir)
  if (inFlight) return inFlight
  const run = (async () => {
    if (isWebBuildFresh(options)) return
    await buildWeb(options)
  })().finally(() => pending.delete(outDir))
  pending.set(outDir, run)
  return run
}

if (import.meta.main) {
  const args = process.argv.slice(2)
  const outIndex = args.indexOf('--out-dir')
  const options: WebBuildOptions = { quiet: args.includes('--quiet') }
  if (outIndex !== -1 && args[outIndex + 1]) options.outDir = args[outIndex + 1]
  try {
    if (args.includes('--if-stale')) await ensureWebBuild(options)
    else await buildWeb(options)
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  }
}
