/**
 * The API client: the only module of the UI that talks HTTP. It follows
 * docs/http-api.md exactly: JSON bodies, same-origin cookies, the
 * `X-CSRF-Token` header on every mutation, and `{error:{code,message,field?}}`
 * bodies turned into {@link ApiError}.
 *
 * Secret values pass through `createSecret`/`replaceSecret` straight into the
 * request body and are never logged, kept or echoed back.
 */
import { ApiError, parseRetryAfter } from './api-error.ts'
import type {
  AccessLogPage,
  CreateSecretInput,
  ReplaceSecretInput,
  Secret,
  SecretList,
  Session,
} from './types.ts'

export { ApiError } from './api-error.ts'

/** The subset of `fetch` the client needs; tests pass a recording stub. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

/** Options of {@link createApiClient}. */
export interface ApiClientOptions {
  /** defaults to the page's `fetch`; looked up per call so tests can swap it */
  fetch?: FetchLike
  /** prefix for every path; '' (same origin, root paths) in production */
  baseUrl?: string
  /**
   * Called when a request other than the session calls answers 401: the
   * session expired or was revoked elsewhere, so the UI must go back to login.
   */
  onUnauthenticated?: () => void
  /**
   * Called after every answered request but the session calls, 401s aside:
   * the session's idle clock moved on (the session model re-plans its warning).
   */
  onAuthenticatedRequest?: () => void
}

/** Typed calls for every route the UI uses. Every method rejects with {@link ApiError}. */
export interface ApiClient {
  /** Remembers the token `X-CSRF-Token` carries from now on; null forgets it (log out). */
  setCsrfToken(token: string | null): void
  /** `GET /session`: who is logged in (401 when nobody). */
  getSession(): Promise<Session>
  /** `POST /session`: log in. */
  login(username: string, password: string): Promise<Session>
  /** `DELETE /session`: log out. */
  logout(): Promise<void>
  /** `GET /secrets` */
  listSecrets(): Promise<SecretList>
  /** `POST /secrets` */
  createSecret(input: CreateSecretInput): Promise<Secret>
  /** `PUT /secrets/{name}` */
  replaceSecret(name: string, input: ReplaceSecretInput): Promise<Secret>
  /** `POST /secrets/{name}/rotate` */
  rotateSecret(name: string): Promise<Secret>
  /** `DELETE /secrets/{name}` */
  deleteSecret(name: string): Promise<void>
  /** `GET /secrets/{name}/access-log?limit=&cursor=` */
  accessLog(name: string, page?: { limit?: number; cursor?: string | null }): Promise<AccessLogPage>
}

const MUTATING = new Set(['POST', 'PUT', 'DELETE', 'PATCH'])

/** Builds an {@link ApiClient}. One instance per page; it holds the CSRF token in memory only. */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? ''
  // Memory only: the token must not outlive the page in storage, and GET /session
  // hands it back after a reload anyway.
  let csrfToken: string | null = null

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (MUTATING.has(method) && csrfToken !== null) headers['X-CSRF-Token'] = csrfToken
    const init: RequestInit = { method, headers, credentials: 'same-origin' }
    if (body !== undefined) init.body = JSON.stringify(body)

    const doFetch = options.fetch ?? ((input: string, i: RequestInit) => fetch(input, i))
    let response: Response
    try {
      response = await doFetch(baseUrl + path, init)
    } catch {
      // The cause (a TypeError from fetch) says nothing useful to an operator.
      throw new ApiError({ status: 0, code: 'network_error', message: 'Cannot reach the server. Check that it is running and try again.' })
    }

    if (response.status !== 401 && !path.startsWith('/session')) options.onAuthenticatedRequest?.()
    if (response.ok) {
      if (response.status === 204) return undefined as T
      try {
        return (await response.json()) as T
      } catch {
        throw new ApiError({ status: response.status, code: 'bad_response', message: 'The server sent an answer the page cannot read.' })
      }
    }

    const error = await readError(response)
    if (error.status === 401 && !path.startsWith('/session')) options.onUnauthenticated?.()
    throw error
  }

  const secretPath = (name: string) => `/secrets/${encodeURIComponent(name)}`

  return {
    setCsrfToken(token) {
      csrfToken = token
    },
    getSession: () => request<Session>('GET', '/session'),
    login: (username, password) => request<Session>('POST', '/session', { username, password }),
    logout: () => request<void>('DELETE', '/session'),
    listSecrets: () => request<SecretList>('GET', '/secrets'),
    createSecret: (input) => request<Secret>('POST', '/secrets', input),
    replaceSecret: (name, input) => request<Secret>('PUT', secretPath(name), input),
    rotateSecret: (name) => request<Secret>('POST', `${secretPath(name)}/rotate`),
    deleteSecret: (name) => request<void>('DELETE', secretPath(name)),
    accessLog(name, page = {}) {
      const query = new URLSearchParams()
      if (page.limit !== undefined) query.set('limit', String(page.limit))
      if (page.cursor) query.set('cursor', page.cursor)
      const qs = query.toString()
      return request<AccessLogPage>('GET', `${secretPath(name)}/access-log${qs ? `?${qs}` : ''}`)
    },
  }
}

/** Turns a non-2xx response into an ApiError, tolerating bodies that are not the documented JSON. */
async function readError(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'))
  let parsed: unknown
  try {
    parsed = await response.json()
  } catch {
    parsed = undefined
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown; field?: unknown } } | undefined)?.error
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError({
      status: response.status,
      code: error.code,
      message: error.message,
      field: typeof error.field === 'string' ? error.field : undefined,
      retryAfter,
    })
  }
  return new ApiError({
    status: response.status,
    code: response.status === 429 ? 'rate_limited' : 'bad_response',
    message: `The server answered ${response.status} ${response.statusText}`.trim() + '.',
    retryAfter,
  })
}
