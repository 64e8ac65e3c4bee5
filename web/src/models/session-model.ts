/**
 * Who is logged in. The page starts in `checking`, asks `GET /session`, and
 * ends up `authenticated` or `anonymous`. The CSRF token goes straight into
 * the API client (memory only); the password never enters this model: the
 * login form passes it through to the request and forgets it.
 */
import { createModel, signal } from '@preact/signals'
import { ApiError } from '../api-error.ts'
import type { ApiClient } from '../api.ts'
import type { Session } from '../types.ts'

/** Where the page is in the login life cycle. `unavailable`: the server could not be asked. */
export type SessionStatus = 'checking' | 'anonymous' | 'authenticated' | 'unavailable'

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

  function accept(session: Session) {
    api.setCsrfToken(session.csrf_token)
    username.value = session.username
    notice.value = null
    retryAfter.value = 0
    status.value = 'authenticated'
  }

  function forget(message: string | null) {
    api.setCsrfToken(null)
    username.value = null
    notice.value = message
    status.value = 'anonymous'
  }

  return {
    status,
    username,
    notice,
    retryAfter,
    checkError,
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
     * `DELETE /session`. A 401 means the session was already gone: logged out
     * all the same. Any other failure keeps the session and is returned for a banner.
     */
    async logout(): Promise<ApiError | null> {
      try {
        await api.logout()
      } catch (error) {
        if (!(error instanceof ApiError)) throw error
        if (error.status !== 401) return error
      }
      forget('You are logged out.')
      return null
    },
    /** Another call answered 401: back to the login form with a reason. */
    expire(): void {
      if (status.value === 'authenticated') forget('Your session has ended. Log in again.')
    },
    /** One second of the 429 countdown passed. */
    tick(): void {
      if (retryAfter.value > 0) retryAfter.value -= 1
    },
  }
})

/** An instance of {@link SessionModel}. */
export type SessionModel = InstanceType<typeof SessionModel>
