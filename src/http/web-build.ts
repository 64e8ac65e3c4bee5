import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One file of the UI build, held in memory. */
export interface WebFile {
  readonly body: Uint8Array<ArrayBuffer>
  readonly contentType: string
}

/** The UI build (web/dist) as served: index.html and every file under assets/, by name. */
export interface WebBuild {
  readonly index: Uint8Array<ArrayBuffer>
  /** Keyed by the path below assets/, `/`-separated (`main-1a2b3c4d.js`). */
  readonly assets: ReadonlyMap<string, WebFile>
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
}

/** The Content-Type of a UI file by its extension; unknown ones are opaque bytes (nosniff keeps them so). */
export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream'
}

function readBytes(path: string): Uint8Array<ArrayBuffer> {
  const b = readFileSync(path)
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) as Uint8Array<ArrayBuffer>
}

function collect(dir: string, prefix: string, out: Map<string, WebFile>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // Dot-files and the build script's half-written temporaries are not part of a build.
    if (entry.name.startsWith('.') || entry.name.includes('.tmp-')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) collect(path, `${prefix}${entry.name}/`, out)
    else if (entry.isFile()) out.set(`${prefix}${entry.name}`, { body: readBytes(path), contentType: contentTypeOf(entry.name) })
  }
}

/**
 * Reads a UI build into memory: `dir/index.html` and every file under
 * `dir/assets/`. Returns undefined when index.html is missing (not built
 * yet). Only files found here are ever served, so no request path reaches
 * the file system.
 */
export function loadWebBuild(dir: string): WebBuild | undefined {
  const indexPath = join(dir, 'index.html')
  if (!existsSync(indexPath)) return undefined
  const assets = new Map<string, WebFile>()
  const assetsDir = join(dir, 'assets')
  if (existsSync(assetsDir) && statSync(assetsDir).isDirectory()) collect(assetsDir, '', assets)
  return { index: readBytes(indexPath), assets }
}

/**
 * Where `npm run build`'s UI lands: web/dist beside src/ when running from
 * the sources (src/http/ is two levels down), or beside dist/ when bundled
 * into dist/cli.js (one level down). The first that holds an index.html,
 * else the source layout's.
 */
export function defaultWebDir(): string {
  const candidates = [new URL('../../web/dist', import.meta.url), new URL('../web/dist', import.meta.url)].map((u) => fileURLToPath(u))
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!
}
