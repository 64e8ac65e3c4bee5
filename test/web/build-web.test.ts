import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  REPO_ROOT,
  buildWeb,
  ensureWebBuild,
  isWebBuildFresh,
  listWebSources,
  readWebManifest,
  renderIndexHtml,
  webSourceHash,
} from '../../scripts/build-web.ts'

// Builds go to a scratch directory: web/dist may be in use by a server test at the same time.
const scratch = mkdtempSync(join(tmpdir(), 'web-build-test-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('buildWeb', () => {
  const outDir = join(scratch, 'full')
  const built = buildWeb({ outDir, quiet: true })

  test('writes index.html, hashed JS, CSS and icon, and a manifest listing exactly those', async () => {
    const { manifest } = await built
    const onDisk = ['index.html', 'manifest.json', ...readdirSync(join(outDir, 'assets')).map((f) => `assets/${f}`)].sort()
    expect([...manifest.files, 'manifest.json'].sort()).toEqual(onDisk)
    expect(manifest.files.filter((f) => /^assets\/main-[a-z0-9]+\.js$/.test(f))).toHaveLength(1)
    expect(manifest.files.filter((f) => /^assets\/main-[a-z0-9]+\.css$/.test(f))).toHaveLength(1)
    expect(manifest.files.filter((f) => /^assets\/favicon-[0-9a-f]{8}\.svg$/.test(f))).toHaveLength(1)
    expect(readWebManifest(outDir)).toEqual(manifest)
    expect(manifest.sourceHash).toBe(webSourceHash())
  })

  test('index.html loads the assets by absolute /assets/ path and has nothing inline', async () => {
    const { paths } = await built
    const html = readFileSync(join(outDir, 'index.html'), 'utf8')
    expect(html).toContain(`<script type="module" src="${paths.js}"></script>`)
    expect(html).toContain(`<link rel="stylesheet" href="${paths.css}">`)
    expect(html).toContain(`href="${paths.icon}"`)
    expect(paths.js.startsWith('/assets/')).toBe(true)
    // CSP default-src 'self': no inline script, no <style>, no style attribute, no event handler attribute.
    expect(html.match(/<script\b[^>]*>/g)).toEqual([`<script type="module" src="${paths.js}">`])
    expect(html).not.toMatch(/<script[^>]*>[^<]/)
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i)
    expect(html).toContain('<div id="app"></div>')
  })

  test('the bundle needs no eval, and opening the console fetches at most 30 KB gzip', async () => {
    const { sizes, paths, manifest } = await built
    for (const file of manifest.files.filter((f) => f.endsWith('.js'))) {
      expect(readFileSync(join(outDir, file), 'utf8')).not.toMatch(/\beval\(|new Function\(/)
    }
    expect(sizes.firstLoad.gzip).toBeLessThanOrEqual(30 * 1024)
    expect(sizes.firstLoad.gzip).toBe(sizes.js.gzip + sizes.css.gzip + sizes.html.gzip + sizes.icon.gzip)
    expect(sizes.js.bytes).toBe(statSync(join(outDir, paths.js)).size)
  })

  test('the Activity and Clients pages and the History, Edit description and Access log drawers are files of their own, fetched later', async () => {
    const { sizes, paths } = await built
    const lazy = Object.keys(sizes.lazy).map((path) => path.replace(/-[a-z0-9]+\.js$/, ''))
    for (const part of ['activity-screen', 'clients-screen', 'versions-drawer', 'description-drawer', 'access-log-drawer']) {
      expect(lazy).toContain(`/assets/chunk-${part}`)
    }
    // Not in the entry: the Clients page's token dialog, say, comes with its page only.
    expect(readFileSync(join(outDir, paths.js), 'utf8')).not.toContain('umask 077')
    const all = Object.values(sizes.lazy).reduce((n, f) => n + f.gzip, 0) + sizes.firstLoad.gzip
    expect(sizes.total.gzip).toBe(all)
  })

  test('the CSS really is the hand-written sheet', async () => {
    const { paths } = await built
    const css = readFileSync(join(outDir, paths.css), 'utf8')
    expect(css).toContain('prefers-color-scheme:dark')
    expect(css).toContain('.drawer')
  })
})

describe('ensureWebBuild', () => {
  test('builds a missing output, then leaves a fresh one alone', async () => {
    const outDir = join(scratch, 'ensure')
    expect(isWebBuildFresh({ outDir })).toBe(false)
    await ensureWebBuild({ outDir, quiet: true })
    expect(isWebBuildFresh({ outDir })).toBe(true)
    const stamp = statSync(join(outDir, 'manifest.json')).mtimeMs
    await ensureWebBuild({ outDir, quiet: true })
    expect(statSync(join(outDir, 'manifest.json')).mtimeMs).toBe(stamp)
  })

  test('rebuilds when the manifest names other sources, or a listed file is missing', async () => {
    const outDir = join(scratch, 'stale')
    await ensureWebBuild({ outDir, quiet: true })
    const manifest = readWebManifest(outDir)!
    writeFileSync(join(outDir, 'manifest.json'), JSON.stringify({ ...manifest, sourceHash: 'old' }))
    expect(isWebBuildFresh({ outDir })).toBe(false)
    await ensureWebBuild({ outDir, quiet: true })
    expect(readWebManifest(outDir)!.sourceHash).toBe(webSourceHash())

    rmSync(join(outDir, manifest.files.find((f) => f.endsWith('.css'))!))
    expect(isWebBuildFresh({ outDir })).toBe(false)
    await ensureWebBuild({ outDir, quiet: true })
    expect(isWebBuildFresh({ outDir })).toBe(true)
  })

  test('concurrent callers share one build', async () => {
    const outDir = join(scratch, 'concurrent')
    const [a, b] = [ensureWebBuild({ outDir, quiet: true }), ensureWebBuild({ outDir, quiet: true })]
    expect(a).toBe(b)
    await a
    expect(isWebBuildFresh({ outDir })).toBe(true)
  })

  test('a rebuild removes assets of earlier builds', async () => {
    const outDir = join(scratch, 'prune')
    await buildWeb({ outDir, quiet: true })
    const stale = join(outDir, 'assets', 'main-oldhash.js')
    writeFileSync(stale, '// old')
    await buildWeb({ outDir, quiet: true })
    expect(existsSync(stale)).toBe(false)
  })
})

describe('sources', () => {
  test('the hash covers web/ sources but not web/dist', () => {
    const files = listWebSources().map((f) => f.slice(REPO_ROOT.length))
    expect(files).toContain('web/main.tsx')
    expect(files).toContain('web/styles.css')
    expect(files.some((f) => f.startsWith('web/dist/'))).toBe(false)
  })

  test('no component uses an inline style (the CSP would block it)', () => {
    const offenders = listWebSources()
      .filter((f) => f.endsWith('.tsx'))
      .filter((f) => /\bstyle=\{|\bstyle="/.test(readFileSync(f, 'utf8')))
    expect(offenders).toEqual([])
  })

  test('renderIndexHtml puts the given asset paths in verbatim', () => {
    const html = renderIndexHtml({ js: '/assets/a.js', css: '/assets/b.css', icon: '/assets/c.svg' })
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).toContain('src="/assets/a.js"')
  })
})
