/**
 * Renders the whole App against a fetch stub, wired exactly like web/main.tsx,
 * and offers the few interactions the screen tests repeat.
 */
import { act, fireEvent, render, waitFor } from '@testing-library/preact'
import { createApiClient } from '../../web/src/api.ts'
import { SecretsModel } from '../../web/src/models/secrets-model.ts'
import { SessionModel } from '../../web/src/models/session-model.ts'
import { navigate, PAGES } from '../../web/src/router.ts'
import { App } from '../../web/src/screens/app.tsx'
import { LAZY_PARTS } from '../../web/src/screens/lazy-screens.tsx'
import type { Secret } from '../../web/src/types.ts'
import { type FetchStub, type StubReply, createFetchStub, errorReply } from './fetch-stub.ts'
import { CURRENT_KEY } from './fixtures.ts'

/** The CSRF token every logged-in fixture session carries. */
export const CSRF = 'csrf-token-abc'

/** Options of {@link renderApp}. */
export interface RenderAppOptions {
  /** logged in at start (GET /session answers 200); default true */
  loggedIn?: boolean
  /** what GET /secrets answers; default none */
  secrets?: Secret[]
  stub?: FetchStub
  /** what GET /secrets answers, overriding `secrets` */
  secretsReply?: StubReply
  /** what GET /session answers, overriding `loggedIn` */
  sessionReply?: StubReply
  /** the page's path and query at start; default the secrets page */
  path?: string
}

/** Lets pending promises, signal updates and Preact renders run. */
export async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0))
  })
}

/** Types into an input the way a user does: sets the value and fires `input`. */
export function type(element: Element, value: string): void {
  fireEvent.input(element, { target: { value } })
}

/** Renders the App logged in (or not) against a stub and waits for the first screen. */
export async function renderApp(options: RenderAppOptions = {}) {
  const stub = options.stub ?? createFetchStub()
  if (options.sessionReply) stub.on('GET', '/session', options.sessionReply)
  else if (options.loggedIn ?? true) stub.on('GET', '/session', { json: { username: 'alice', csrf_token: CSRF } })
  else stub.on('GET', '/session', errorReply(401, 'unauthenticated', 'no session'))
  stub.on('GET', '/secrets', options.secretsReply ?? (() => ({ json: { secrets: options.secrets ?? [], current_key_id: CURRENT_KEY } })))

  // The split-off parts (lazy-screens.tsx) fetched first, so no test waits on a module's first load.
  await Promise.all(LAZY_PARTS.map((part) => part.preload()))
  // The route is a module-wide signal: every render starts from the page it names.
  navigate(options.path ?? PAGES.secrets, { replace: true })
  // Same wiring as web/main.tsx.
  const api = createApiClient({ fetch: stub.fetch, onUnauthenticated: () => session.expire(), onAuthenticatedRequest: () => session.touched() })
  const session = new SessionModel(api)
  const secrets = new SecretsModel(api)
  const utils = render(<App api={api} session={session} secrets={secrets} />)
  await act(() => session.restore())
  await settle()
  const onSecrets = (options.path ?? PAGES.secrets).split('?')[0] === PAGES.secrets
  if (onSecrets && !options.sessionReply && (options.loggedIn ?? true)) await waitFor(() => utils.getByRole('heading', { name: 'Secrets', level: 1 }))
  return { ...utils, stub, api, session, secrets }
}

/**
 * Asserts, for a secret value typed in a test, that it left no trace the page
 * could hand to someone else: not in the DOM's markup, storage, or the URL.
 */
export function expectNoTrace(value: string): string[] {
  const places: Array<[string, string]> = [
    ['document.documentElement.outerHTML', document.documentElement.outerHTML],
    ['localStorage', dumpStorage(localStorage)],
    ['sessionStorage', dumpStorage(sessionStorage)],
    ['location.href', location.href],
    ['document.cookie', document.cookie],
    ['history.state', JSON.stringify(history.state ?? null)],
  ]
  // Also every input's live value, which outerHTML does not show.
  for (const input of Array.from(document.querySelectorAll('input, textarea'))) {
    places.push([`value of ${input.id || input.tagName}`, (input as HTMLInputElement).value])
  }
  return places.filter(([, text]) => text.includes(value)).map(([where]) => where)
}

function dumpStorage(storage: Storage): string {
  const pairs: string[] = []
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i)!
    pairs.push(`${key}=${storage.getItem(key)}`)
  }
  return pairs.join('\n')
}

/**
 * Opens a row's action the way an operator does: the row's name button
 * (details drawer), then the action's button there. Returns the name button,
 * where focus comes back to.
 */
export function openRowAction(app: { getByRole: (role: string, options: { name: string | RegExp }) => HTMLElement }, name: string, action: string): HTMLElement {
  const opener = app.getByRole('button', { name: `${name}: details and actions` })
  opener.focus()
  fireEvent.click(opener)
  const details = app.getByRole('dialog', { name: 'Secret' })
  const button = Array.from(details.querySelectorAll('button')).find((b) => b.textContent === action)
  if (!button) throw new Error(`no "${action}" button in the details of ${name}`)
  button.focus()
  fireEvent.click(button)
  return opener
}
