/**
 * happy-dom for the UI test files only.
 *
 * Registering happy-dom globally replaces Response, Request, Headers, fetch,
 * the stream classes, AbortController and more with its own versions; after
 * that Bun.serve rejects the server's responses. So there
 * is no preload: each UI test file calls {@link useHappyDom} at its top, which
 * registers the DOM in beforeAll and, in afterAll, unregisters it and puts
 * back every global property exactly as it was (test/web/zz-globals-restored
 * checks that, and that Bun.serve + fetch still work afterwards).
 */
import { GlobalRegistrator } from '@happy-dom/global-registrator'
import { cleanup } from '@testing-library/preact'
import { afterAll, afterEach, beforeAll } from 'bun:test'

/** The globals happy-dom is known to replace that server tests depend on. */
export const CRITICAL_GLOBALS = [
  'Response',
  'Request',
  'Headers',
  'fetch',
  'ReadableStream',
  'WritableStream',
  'TransformStream',
  'AbortController',
  'AbortSignal',
  'FormData',
  'Blob',
  'File',
  'URL',
  'URLSearchParams',
  'TextEncoder',
  'TextDecoder',
  'Event',
  'EventTarget',
  'WebSocket',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'crypto',
] as const

type Snapshot = Map<PropertyKey, PropertyDescriptor>

/** Every own property of globalThis with its descriptor (values, getters, flags). */
export function snapshotGlobals(): Snapshot {
  const snapshot: Snapshot = new Map()
  for (const key of Reflect.ownKeys(globalThis)) {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, key)
    if (descriptor) snapshot.set(key, descriptor)
  }
  return snapshot
}

/** Puts globalThis back to `snapshot`: changed properties restored, added ones deleted. */
export function restoreGlobals(snapshot: Snapshot): void {
  for (const key of Reflect.ownKeys(globalThis)) {
    if (!snapshot.has(key)) {
      const descriptor = Object.getOwnPropertyDescriptor(globalThis, key)
      if (descriptor?.configurable) Reflect.deleteProperty(globalThis, key)
    }
  }
  for (const [key, descriptor] of snapshot) {
    const now = Object.getOwnPropertyDescriptor(globalThis, key)
    const same =
      now !== undefined &&
      Object.is(now.value, descriptor.value) &&
      now.get === descriptor.get &&
      now.set === descriptor.set
    if (!same) {
      try {
        Object.defineProperty(globalThis, key, descriptor)
      } catch {
        // A non-configurable property cannot have been replaced either; nothing to undo.
      }
    }
  }
}

/**
 * The globals as they were when this module was first imported, before any UI
 * file registered the DOM. Bun shares one module registry between test files,
 * so every importer sees the same pristine values.
 */
export const PRISTINE: Readonly<Record<(typeof CRITICAL_GLOBALS)[number], unknown>> = Object.fromEntries(
  CRITICAL_GLOBALS.map((name) => [name, (globalThis as Record<string, unknown>)[name]]),
) as Record<(typeof CRITICAL_GLOBALS)[number], unknown>

/** The runtime's own Response class, for fetch stubs that must work with or without the DOM. */
export const NativeResponse = PRISTINE.Response as typeof Response

/** The URL the page is "served" from in tests, matching the server's UI route. */
export const PAGE_URL = 'http://127.0.0.1:8787/settings/secrets'

/**
 * Registers happy-dom for the calling test file: beforeAll registers, afterEach
 * unmounts rendered trees and clears body and storage, afterAll unregisters
 * and restores every global property.
 */
const RESTORED = Symbol.for('claude-hooks-secrets.test.happy-dom-restored')

/** How many UI test files of this run have registered and restored the DOM so far. */
export function domRestorations(): number {
  return ((globalThis as Record<symbol, number | undefined>)[RESTORED] ?? 0)
}

export function useHappyDom(): void {
  let snapshot: Snapshot | undefined
  beforeAll(() => {
    snapshot = snapshotGlobals()
    GlobalRegistrator.register({ url: PAGE_URL, width: 1280, height: 800 })
  })
  afterEach(() => {
    cleanup()
    document.body.innerHTML = ''
    localStorage.clear()
    sessionStorage.clear()
  })
  afterAll(async () => {
    cleanup()
    await GlobalRegistrator.unregister()
    if (snapshot) restoreGlobals(snapshot)
    ;(globalThis as Record<symbol, number>)[RESTORED] = domRestorations() + 1
    // bun orders test files by directory listing, not by name, so no single
    // file can be sure to run last: each UI file checks its own clean-up.
    const leaked = CRITICAL_GLOBALS.filter((name) => !Object.is((globalThis as Record<string, unknown>)[name], PRISTINE[name]))
    if ('document' in globalThis) leaked.push('document' as never)
    if (leaked.length > 0) throw new Error(`happy-dom left globals replaced: ${leaked.join(', ')}`)
  })
}
