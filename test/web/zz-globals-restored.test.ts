/**
 * Proves the UI test files that ran before this one left the process as they
 * found it. (bun orders files by directory listing, not by name, so "zz-"
 * does not make this run last; every UI file also checks its own clean-up in
 * useHappyDom's afterAll.) What is checked:
 * the globals happy-dom replaces are the runtime's own again, no DOM is left
 * behind, and Bun.serve answers a real fetch, which is exactly what broke when
 * happy-dom was registered globally.
 *
 * The last describe block also registers and restores the DOM itself, so the
 * check holds even when this file runs alone or first.
 */
import { GlobalRegistrator } from '@happy-dom/global-registrator'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { CRITICAL_GLOBALS, domRestorations, PRISTINE, restoreGlobals, snapshotGlobals } from './dom.ts'

/** A server that streams a JSON echo back, built only from the current globals. */
async function roundTrip(): Promise<{ status: number; type: string | null; body: unknown }> {
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const text = await request.text()
      // A streamed body and a Headers object: the parts happy-dom replaces.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(JSON.stringify({ method: request.method, got: JSON.parse(text) })))
          controller.close()
        },
      })
      return new Response(stream, { status: 201, headers: new Headers({ 'Content-Type': 'application/json' }) })
    },
  })
  try {
    const controller = new AbortController()
    const response = await fetch(new Request(`http://127.0.0.1:${server.port}/echo`, {
      method: 'POST',
      body: JSON.stringify({ ok: true }),
      headers: { 'Content-Type': 'application/json' },
      signal: controller.signal,
    }))
    return { status: response.status, type: response.headers.get('content-type'), body: await response.json() }
  } finally {
    server.stop(true)
  }
}

// Files are loaded one after another, so this counts the UI files that ran before this one.
// With none (this file first or alone), there is nothing to check: skipped, not passed.
const uiFilesBefore = domRestorations()

describe.skipIf(uiFilesBefore === 0)('after the UI test files', () => {
  test('every global happy-dom replaces is the runtime original again', () => {
    const changed = CRITICAL_GLOBALS.filter((name) => !Object.is((globalThis as Record<string, unknown>)[name], PRISTINE[name]))
    expect(changed).toEqual([])
  })

  test('no DOM is left behind', () => {
    expect(typeof (globalThis as Record<string, unknown>).document).toBe('undefined')
    expect(typeof (globalThis as Record<string, unknown>).window).toBe('undefined')
    expect(typeof (globalThis as Record<string, unknown>).HTMLElement).toBe('undefined')
  })

  test('Bun.serve answers a fetch with a streamed Response', async () => {
    expect(await roundTrip()).toEqual({ status: 201, type: 'application/json', body: { method: 'POST', got: { ok: true } } })
  })
})

describe('register, then restore, in this very file', () => {
  const before = snapshotGlobals()
  beforeAll(async () => {
    GlobalRegistrator.register({ url: 'http://127.0.0.1/' })
    // While registered, the globals really are different: the restore below has work to do.
    expect(globalThis.Response).not.toBe(before.get('Response')!.value)
    await GlobalRegistrator.unregister()
    restoreGlobals(before)
  })
  afterAll(() => restoreGlobals(before))

  test('leaves every global property as it was', () => {
    const after = snapshotGlobals()
    const differs = [...before.keys()].filter((key) => {
      const a = before.get(key)!
      const b = after.get(key)
      return !b || !Object.is(a.value, b.value) || a.get !== b.get || a.set !== b.set
    })
    const added = [...after.keys()].filter((key) => !before.has(key))
    expect({ differs: differs.map(String), added: added.map(String) }).toEqual({ differs: [], added: [] })
  })

  test('and Bun.serve still answers', async () => {
    expect((await roundTrip()).status).toBe(201)
  })
})
