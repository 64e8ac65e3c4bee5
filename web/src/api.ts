/**
 * The API client: the only module of the UI that talks HTTP. It follows
 * docs/http-api.md exactly: JSON bodies, same-origin cookies, the
 * `X-CSRF-Token` header on every mutation, and `{error:{code,message,field?}}`
 * bodies turned into {@link ApiError}.
 *
 * Secret values pass through `createSecret`/`replaceSecret` straight into the
 * request body and are never logged, kept or echoed back.
 */
import type { ErrorBody } from '../../src/http/error-codes.ts'
import { ApiError, parseRetryAfter } from './api-error.ts'
import type {
  AccessLogPage,
  AuditFilters,
  AuditPage,
  Client,
  CreateClientInput,
  IssuedToken,
  CreateSecretInput,
  ReplaceSecretInput,
  Secret,
  SecretList,
  Session,
  VersionList,
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
  /** `PUT /secrets/{name}`, with `If-Match: "N"` when `ifVersion` is given (412 `version_mismatch` if N is not current) */
  replaceSecret(name: string, input: ReplaceSecretInput, ifVersion?: number): Promise<Secret>
  /** `GET /secrets/{name}` */
  getSecret(name: string): Promise<Secret>
  /** `PATCH /secrets/{name} {"description"}`: the description alone, with `If-Match` as for replace */
  updateDescription(name: string, description: string, ifVersion?: number): Promise<Secret>
  /** `GET /secrets/{name}/versions`: metadata only */
  listVersions(name: string): Promise<VersionList>
  /** `POST /secrets/{name}/rollback {"version"}`: that version's value as a new version, with `If-Match` as for replace */
  rollback(name: string, version: number, ifVersion?: number): Promise<Secret>
  /** `POST /secrets/{name}/rotate` */
  rotateSecret(name: string): Promise<Secret>
  /** `DELETE /secrets/{name}` */
  deleteSecret(name: string): Promise<void>
  /** `GET /secrets/{name}/access-log?limit=&cursor=` */
  accessLog(name: string, page?: { limit?: number; cursor?: string | null }): Promise<AccessLogPage>
  /** `GET /audit?…filters&limit=&cursor=`: the audit log across every secret */
  audit(filters: AuditFilters, page?: { limit?: number; cursor?: string | null }): Promise<AuditPage>
  /** The URL of `GET /audit/export?…filters`: a link to it downloads every filtered row (the cookie goes along). */
  auditExportUrl(filters: AuditFilters): string
  /** `GET /clients` */
  listClients(): Promise<{ clients: Client[] }>
  /** `POST /clients` */
  createClient(input: CreateClientInput): Promise<Client>
  /** `DELETE /clients/{name}` */
  removeClient(name: string): Promise<void>
  /**
   * `POST /clients/{name}/tokens`. The answer holds the token: the caller
   * shows it once and drops it; nothing here keeps it.
   */
  issueToken(name: string, ttl?: string): Promise<IssuedToken>
  /** `DELETE /clients/{name}/tokens/{id}` */
  revokeToken(name: string, id: string): Promise<void>
}

/** The query string of the audit filters that are set (`?secret=A&action=read`, or ''). */
export function auditQuery(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams()
  for (const key of ['secret', 'accessor', 'action', 'outcome', 'since', 'until'] as const) {
    const value = filters[key]
    if (value) query.set(key, value)
  }
  for (const [key, value] of Object.entries(extra)) query.set(key, value)
  const qs = query.toString()
  return qs ? `?${qs}` : ''
}

const MUTATING = new Set(['POST', 'PUT', 'DELETE', 'PATCH'])

/** The `If-Match` header of a version, or none. */
function ifMatch(version: number | undefined): Record<string, string> {
  return version === undefined ? {} : { 'If-Match': `"${version}"` }
}

/** Builds an {@link ApiClient}. One instance per page; it holds the CSRF token in memory only. */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? ''
  // Memory only: the token must not outlive the page in storage, and GET /session
  // hands it back after a reload anyway.
  let csrfToken: string | null = null

  async function request<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...extra }
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
  const clientPath = (name: string) => `/clients/${encodeURIComponent(name)}`

  return {
    setCsrfToken(token) {
      csrfToken = token
    },
    getSession: () => request<Session>('GET', '/session'),
    login: (username, password) => request<Session>('POST', '/session', { username, password }),
    logout: () => request<void>('DELETE', '/session'),
    listSecrets: () => request<SecretList>('GET', '/secrets'),
    createSecret: (input) => request<Secret>('POST', '/secrets', input),
    replaceSecret: (name, input, ifVersion) => request<Secret>('PUT', secretPath(name), input, ifMatch(ifVersion)),
    getSecret: (name) => request<Secret>('GET', secretPath(name)),
    updateDescription: (name, description, ifVersion) =>
      request<Secret>('PATCH', secretPath(name), { description }, ifMatch(ifVersion)),
    listVersions: (name) => request<VersionList>('GET', `${secretPath(name)}/versions`),
    rollback: (name, version, ifVersion) => request<Secret>('POST', `${secretPath(name)}/rollback`, { version }, ifMatch(ifVersion)),
    rotateSecret: (name) => request<Secret>('POST', `${secretPath(name)}/rotate`),
    deleteSecret: (name) => request<void>('DELETE', secretPath(name)),
    accessLog(name, page = {}) {
      const query = new URLSearchParams()
      if (page.limit !== undefined) query.set('limit', String(page.limit))
      if (page.cursor) query.set('cursor', page.cursor)
      const qs = query.toString()
      return request<AccessLogPage>('GET', `${secretPath(name)}/access-log${qs ? `?${qs}` : ''}`)
    },
    audit(filters, page = {}) {
      const extra: Record<string, string> = {}
      if (page.limit !== undefined) extra.limit = String(page.limit)
      if (page.cursor) extra.cursor = page.cursor
      return request<AuditPage>('GET', `/audit${auditQuery(filters, extra)}`)
    },
    listClients: () => request<{ clients: Client[] }>('GET', '/clients'),
    createClient: (input) => request<Client>('POST', '/clients', input),
    removeClient: (name) => request<void>('DELETE', clientPath(name)),
    issueToken: (name, ttl) => request<IssuedToken>('POST', `${clientPath(name)}/tokens`, ttl === undefined ? undefined : { ttl }),
    revokeToken: (name, id) => request<void>('DELETE', `${clientPath(name)}/tokens/${encodeURIComponent(id)}`),
    auditExportUrl: (filters) => `${baseUrl}/audit/export${auditQuery(filters)}`,
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
  const error = (parsed as { error?: { [K in keyof ErrorBody['error']]?: unknown } } | undefined)?.error
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError({
      status: response.status,
      code: error.code,
      message: error.message,
      field: typeof error.field === 'string' ? error.field : undefined,
      retryAfter,
      currentVersion: typeof error.current_version === 'number' ? error.current_version : undefined,
    })
  }
  return new ApiError({
    status: response.status,
    code: response.status === 429 ? 'rate_limited' : 'bad_response',
    message: `The server answered ${response.status} ${response.statusText}`.trim() + '.',
    retryAfter,
  })
}
