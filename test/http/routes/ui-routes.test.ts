import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { contentTypeOf, loadWebBuild } from '../../../src/http/web-build.ts'
import { tempDir } from '../../helpers/context.ts'
import { errorOf, type Harness, harness } from '../harness.ts'

// A fixture build shaped like scripts/build-web.ts output.
const INDEX = '<!doctype html><link rel="stylesheet" href="/assets/main-1a2b3c4d.css"><script type="module" src="/assets/main-1a2b3c4d.js"></script><div id="app"></div>'
let fixture: ReturnType<typeof tempDir>

function writeBuild(dir: string): void {
  mkdirSync(join(dir, 'assets', 'fonts'), { recursive: true })
  writeFileSync(join(dir, 'index.html'), INDEX)
  writeFileSync(join(dir, 'assets', 'main-1a2b3c4d.js'), 'console.log("ui")')
  writeFileSync(join(dir, 'assets', 'main-1a2b3c4d.css'), 'body{margin:0}')
  writeFileSync(join(dir, 'assets', 'favicon-0badf00d.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  writeFileSync(join(dir, 'assets', 'fonts', 'inter-9f9f9f9f.woff2'), new Uint8Array([0x77, 0x4f, 0x46, 0x32]))
  writeFileSync(join(dir, 'assets', '.hidden'), 'not served')
  writeFileSync(join(dir, 'assets', 'main-1a2b3c4d.js.tmp-1-abc'), 'half written')
  writeFileSync(join(dir, 'manifest.json'), '{}')
}

beforeAll(() => {
  fixture = tempDir('chs-ui-')
  writeBuild(fixture.dir)
})
afterAll(() => fixture.cleanup())

let h: Harness
afterEach(() => h.close())

describe('with a build', () => {
  test('GET / redirects to /settings/secrets', async () => {
    h = await harness({ webDir: fixture.dir })
    const res = await h.request('/')
    expect(res.status).toBe(302)
    expect(res.headers.get('Location')).toBe('/settings/secrets')
  })

  test('GET /settings/secrets is index.html: text/html, no-cache, strict CSP, no session needed', async () => {
    h = await harness({ webDir: fixture.dir })
    const res = await h.request('/settings/secrets')
    expect(res.status).toBe(200)
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('Cache-Control')).toBe('no-cache')
    const csp = res.headers.get('Content-Security-Policy')!
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("style-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('unsafe-eval')
    expect(await res.text()).toBe(INDEX)
  })

  test('the Activity and Clients pages are the same index.html, and a page that is not one is a 404', async () => {
    h = await harness({ webDir: fixture.dir })
    for (const path of ['/settings/activity', '/settings/clients']) {
      const res = await h.request(path)
      expect(res.status).toBe(200)
      expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8')
      expect(await res.text()).toBe(INDEX)
    }
    expect((await h.request('/settings/anything')).status).toBe(404)
  })

  const assets: Array<[string, string]> = [
    ['/assets/main-1a2b3c4d.js', 'text/javascript; charset=utf-8'],
    ['/assets/main-1a2b3c4d.css', 'text/css; charset=utf-8'],
    ['/assets/favicon-0badf00d.svg', 'image/svg+xml'],
    ['/assets/fonts/inter-9f9f9f9f.woff2', 'font/woff2'],
  ]
  for (const [path, type] of assets) {
    test(`GET ${path}: ${type}, cached for a year, immutable`, async () => {
      h = await harness({ webDir: fixture.dir })
      const res = await h.request(path)
      expect(res.status).toBe(200)
      expect(res.headers.get('Content-Type')).toBe(type)
      expect(res.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff')
    })
  }

  for (const path of [
    '/assets/missing-00000000.js',
    '/assets/.hidden',
    '/assets/main-1a2b3c4d.js.tmp-1-abc',
    '/assets/../manifest.json',
    '/assets/%2e%2e/manifest.json',
    '/assets/..%2fmanifest.json',
    '/assets/',
    '/assets/fonts',
  ]) {
    test(`GET ${path}: 404 JSON, nothing read from disk`, async () => {
      h = await harness({ webDir: fixture.dir })
      const res = await h.request(path)
      expect(res.status).toBe(404)
      expect(await errorOf(res)).toMatchObject({ code: 'not_found' })
    })
  }

  test('HEAD /settings/secrets answers like GET without a body', async () => {
    h = await harness({ webDir: fixture.dir })
    const res = await h.request('/settings/secrets', { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8')
  })

  test('files are read once: a later change on disk is not served until restart', async () => {
    const dir = tempDir('chs-ui-once-')
    try {
      writeBuild(dir.dir)
      h = await harness({ webDir: dir.dir })
      expect(await (await h.request('/settings/secrets')).text()).toBe(INDEX)
      writeFileSync(join(dir.dir, 'index.html'), 'changed')
      expect(await (await h.request('/settings/secrets')).text()).toBe(INDEX)
    } finally {
      dir.cleanup()
    }
  })
})

describe('without a build', () => {
  test('GET /settings/secrets is 503 ui_not_built telling how to build, never a 500', async () => {
    h = await harness()
    const res = await h.request('/settings/secrets')
    expect(res.status).toBe(503)
    expect(res.headers.get('Content-Type')).toStartWith('application/json')
    const error = await errorOf(res)
    expect(error.code).toBe('ui_not_built')
    expect(error.message).toContain('scripts/build-web.ts')
    expect(h.errors).toEqual([])
  })

  test('a missing directory behaves the same', async () => {
    h = await harness({ webDir: '/nonexistent/chs/web/dist' })
    expect((await h.request('/settings/secrets')).status).toBe(503)
    expect((await h.request('/assets/main.js')).status).toBe(404)
  })

  test('a build that appears after start is picked up without a restart', async () => {
    const dir = tempDir('chs-ui-late-')
    try {
      h = await harness({ webDir: dir.dir })
      expect((await h.request('/settings/secrets')).status).toBe(503)
      writeBuild(dir.dir)
      expect((await h.request('/settings/secrets')).status).toBe(200)
      expect((await h.request('/assets/main-1a2b3c4d.js')).status).toBe(200)
    } finally {
      dir.cleanup()
    }
  })

  test('the API works without a UI build', async () => {
    h = await harness()
    expect((await h.request('/healthz')).status).toBe(200)
  })
})

describe('web-build', () => {
  test('loadWebBuild reads index.html and assets/ only, skipping dot-files and temporaries', () => {
    const build = loadWebBuild(fixture.dir)!
    expect([...build.assets.keys()].sort()).toEqual([
      'favicon-0badf00d.svg',
      'fonts/inter-9f9f9f9f.woff2',
      'main-1a2b3c4d.css',
      'main-1a2b3c4d.js',
    ])
    expect(loadWebBuild('/nonexistent')).toBeUndefined()
  })

  test('contentTypeOf knows the build outputs and treats the rest as bytes', () => {
    expect(contentTypeOf('a.JS')).toBe('text/javascript; charset=utf-8')
    expect(contentTypeOf('a.map')).toBe('application/json; charset=utf-8')
    expect(contentTypeOf('a.bin')).toBe('application/octet-stream')
    expect(contentTypeOf('noext')).toBe('application/octet-stream')
  })
})
