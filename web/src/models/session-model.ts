/**
 * Who is logged in. The page starts in `checking`, asks `GET /session`, and
 * ends up `authenticated` or `anonymous`. The CSRF token goes straight into
 * the API client (memory only); the password never enters this model: the
 * login form passes it through to the request and forgets it.
 *
 * It also knows when the session will end (docs/ui.md "Session"): the
 * server's `expires_at`, moved on by every authenticated request, gives a
 * warning {@link WARN_BEFORE_MS} ahead, and a form's name and description
 * (never a value) are kept in `draft` across a re-login by the same operator.
 */
import { createModel, signal } from '@preact/signals'
import { ApiError } from '../api-error.ts'
import type { ApiClient } from '../api.ts'
import type { Session } from '../types.ts'

/** Where the page is in the login life cycle. `unavailable`: the server could not be asked. */
export type SessionStatus = 'checking' | 'anonymous' | 'authenticated' | 'unavailable'

/** How long before the expected end the warning shows. */
export const WARN_BEFORE_MS = 2 * 60_000
/**
 * The server writes a session's idle clock at most once a minute, so its
 * idle expiry may be up to this much earlier than "last request + idle".
 */
const TOUCH_SLACK_MS = 60_000

/** What an open form held when the session ended: never a value. */
export interface FormDraft {
  kind: 'add' | 'replace'
  /** the secret a replace form is for */
  secret?: string
  name: string
  description: string
}

/** The operator session. */
export const SessionModel = createModel((api: ApiClient) => {
  const status = signal<SessionStatus>('checking')
  const username = signal<string | null>(null)
  /** why the operator is looking at the login form again (expired, logged out) */
  const notice = signal<string | null>(null)
  /** seconds left before another login attempt is accepted after a 429 */
  const retryAfter = signal(0)
  /** message of the last failed `GET /session` that was not a 401 */
  const checkError = signal<string | null>(null)
  /** when the session is expected to end (ms since epoch), null when unknown */
  const expiresAt = signal<number | null>(null)
  /** true from {@link WARN_BEFORE_MS} before `expiresAt` */
  const warning = signal(false)
  /** whether `expiresAt` is the absolute limit, which no request extends */
  const atLimit = signal(false)
  /** the open form's name and description, kept when the session ends under it */
  const draft = signal<FormDraft | null>(null)

  let absoluteAt = Infinity
  let idleMs = 0
  let draftOwner: string | null = null
  let timers: Array<ReturnType<typeof setTimeout>> = []

  function clearTimers() {
    for (const t of timers) clearTimeout(t)
    timers = []
  }

  function plan(at: number | null) {
    clearTimers()
    expiresAt.value = at
    atLimit.value = at !== null && at >= absoluteAt
    warning.value = false
    if (at === null) return
    const left = at - Date.now()
    const warnIn = left - WARN_BEFORE_MS
    if (warnIn <= 0) warning.value = true
    else timers.push(setTimeout(() => (warning.value = true), warnIn))
    // At the expected end, ask: a 401 ends the session here, a 200 re-plans.
    timers.push(setTimeout(() => void check(), Math.max(left, 0) + 1000))
  }

  async function check() {
    if (status.value !== 'authenticated') return
    try {
      accept(await api.getSession())
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) expire()
    }
  }

  function accept(session: Session) {
    api.setCsrfToken(session.csrf_token)
    // Another operator's half-typed form is not theirs to find.
    if (draftOwner !== session.username) draft.value = null
    draftOwner = session.username
    username.value = session.username
    notice.value = null
    retryAfter.value = 0
    status.value = 'authenticated'
    absoluteAt = session.absolute_expires_at ? Date.parse(session.absolute_expires_at) : Infinity
    idleMs = (session.idle_timeout_seconds ?? 0) * 1000
    plan(session.expires_at ? Date.parse(session.expires_at) : null)
  }

  function forget(message: string | null) {
    clearTimers()
    api.setCsrfToken(null)
    username.value = null
    notice.value = message
    expiresAt.value = null
    warning.value = false
    status.value = 'anonymous'
  }

  function expire(): void {
    if (status.value === 'authenticated') forget('Your session has ended. Log in again.')
  }

  return {
    status,
    username,
    notice,
    retryAfter,
    checkError,
    expiresAt,
    warning,
    atLimit,
    draft,
    /** Asks the server whether the cookie still holds a session (page start, "Try again"). */
    async restore(): Promise<void> {
      status.value = 'checking'
      checkError.value = null
      try {
        accept(await api.getSession())
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          forget(null)
        } else {
          checkError.value = error instanceof ApiError ? error.message : 'Something went wrong.'
          status.value = 'unavailable'
        }
      }
    },
    /**
     * `POST /session`. Rejects with the ApiError for the form to show; a 429
     * also starts the countdown in `retryAfter` (60 s when the header is missing).
     */
    async login(name: string, password: string): Promise<void> {
      try {
        accept(await api.login(name, password))
      } catch (error) {
        if (error instanceof ApiError && error.status === 429) retryAfter.value = error.retryAfter ?? 60
        throw error
      }
    },
    /**
     * `DELETE /session`. The page is cleared whatever the answer: a 401 means
     * the session was gone already; any other failure (server down) is
     * returned so the login screen can say the server was not told.
     */
    async logout(): Promise<ApiError | null> {
      let failure: ApiError | null = null
      try {
        await api.logout()
      } catch (error) {
        if (!(error instanceof ApiError)) throw error
        if (error.status !== 401) failure = error
      }
      draft.value = null
      forget(
        failure
          ? `You are logged out of this page, but the server could not be told (${failure.message}) ` +
              `The session ends on its own after ${Math.round(idleMs / 60_000) || 30} minutes without use; log in and out again once the server answers.`
          : 'You are logged out.',
      )
      return failure
    },
    /** "Stay signed in": any authenticated request moves the idle clock on; this one also re-reads the expiry. */
    extend: check,
    /** Another request was answered: the idle expiry moved on (see TOUCH_SLACK_MS). */
    touched(): void {
      if (status.value !== 'authenticated' || idleMs === 0) return
      plan(Math.min(absoluteAt, Date.now() + idleMs - TOUCH_SLACK_MS))
    },
    /** Another call answered 401: back to the login form with a reason. */
    expire,
    /** One second of the 429 countdown passed. */
    tick(): void {
      if (retryAfter.value > 0) retryAfter.value -= 1
    },
  }
})

/** An instance of {@link SessionModel}. */
export type SessionModel = InstanceType<typeof SessionModel>
