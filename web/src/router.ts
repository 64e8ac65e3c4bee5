/**
 * Which page the browser is on, as a signal: the path picks the screen and
 * the query holds a page's filters, so a filtered view can be bookmarked,
 * reloaded and shared, and Back undoes a filter. Only the History API:
 * every page is the same index.html (src/http/routes/ui-routes.ts UI_PAGES).
 */
import { signal } from '@preact/signals'

/** The pages of the UI. */
export const PAGES = { secrets: '/settings/secrets', activity: '/settings/activity', clients: '/settings/clients' } as const

/** Path and query of the page shown. */
export interface Route {
  path: string
  query: URLSearchParams
}

function read(): Route {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) }
}

/** The current route; follows {@link navigate} and the browser's Back and Forward. */
// Read lazily: test files import this module before they set up a DOM.
export const route = signal<Route>(typeof window === 'undefined' ? { path: '/', query: new URLSearchParams() } : read())

/**
 * Goes to `to` (a path with an optional query) without reloading. `replace`
 * changes the current history entry instead of adding one (a filter typed
 * on a page that had none yet).
 */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  route.value = read()
}

/** A path with a query built from the set members of `params` (empty ones left out). */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value)
  const qs = query.toString()
  return qs ? `${path}?${qs}` : path
}

/** Follows Back and Forward; returns a function that stops. main.tsx starts it; tests start and stop it. */
export function startRouter(): () => void {
  const onPop = () => {
    route.value = read()
  }
  route.value = read()
  window.addEventListener('popstate', onPop)
  return () => window.removeEventListener('popstate', onPop)
}
