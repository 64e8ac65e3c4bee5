/**
 * The login form. The password is read from its input only at submit time and
 * the input is emptied right after, so it lives in no signal and no state.
 * Errors stay inside the form: a field the server names gets the message,
 * a wrong password reads as such, and a 429 shows a countdown and holds the
 * button until the server will listen again.
 */
import { useModel } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'
import { FormModel } from '../models/form-model.ts'
import type { SessionModel } from '../models/session-model.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { Field } from '../ui/field.tsx'
import { Brand } from './brand.tsx'

/** Props of {@link LoginScreen}. */
export interface LoginScreenProps {
  session: SessionModel
}

/** Username and password form for `POST /session`. */
export function LoginScreen({ session }: LoginScreenProps) {
  const form = useModel(() => new FormModel(['username', 'password']))
  const usernameRef = useRef<HTMLInputElement>(null)
  const passwordRef = useRef<HTMLInputElement>(null)
  const waiting = session.retryAfter.value > 0

  // The countdown runs only while it is shown; unmounting stops it.
  useEffect(() => {
    if (!waiting) return
    const id = setInterval(() => session.tick(), 1000)
    return () => clearInterval(id)
  }, [waiting])

  useEffect(() => {
    usernameRef.current?.focus()
  }, [])

  // The password must not survive the form, whichever way the form goes away.
  useEffect(() => {
    const input = passwordRef.current
    return () => {
      if (input) input.value = ''
    }
  }, [])

  async function onSubmit(event: Event) {
    event.preventDefault()
    const username = usernameRef.current!.value.trim()
    const password = passwordRef.current!.value
    form.setError('username', username === '' ? 'Enter your username.' : null)
    form.setError('password', password === '' ? 'Enter your password.' : null)
    if (username === '') return usernameRef.current!.focus()
    if (password === '') return passwordRef.current!.focus()

    const result = await form.submit(() => session.login(username, password))
    // Success or not, the typed password is done with.
    if (passwordRef.current) passwordRef.current.value = ''
    if (result.ok) return
    if (result.error.status === 401) {
      // The server's 401 message is about sessions in general; say what happened here.
      form.setBanner('Wrong username or password.')
    } else if (result.error.status === 429) {
      form.setBanner(null)
    }
    if (result.field === 'username') usernameRef.current?.focus()
    else passwordRef.current?.focus()
  }

  return (
    <main class="centered">
      <form class="card login-card" onSubmit={onSubmit} noValidate aria-labelledby="login-title">
        <Brand />
        <h1 id="login-title" class="login-title">
          Log in
        </h1>
        <p class="muted">Operators only. Your session ends when you log out or close it on the server.</p>
        {session.notice.value && !form.banner.value && !waiting ? <Banner tone="notice">{session.notice}</Banner> : null}
        {form.banner.value ? <Banner tone="error">{form.banner}</Banner> : null}
        {waiting ? (
          <Banner tone="error">
            Too many attempts, try again in <span aria-live="off">{session.retryAfter}</span> s
          </Banner>
        ) : null}
        <Field label="Username" error={form.errors.value['username']}>
          {(control) => (
            <input
              {...control}
              ref={usernameRef}
              class="input"
              type="text"
              name="username"
              autoComplete="username"
              autoCapitalize="off"
              spellcheck={false}
              onInput={() => form.setError('username', null)}
            />
          )}
        </Field>
        <Field label="Password" error={form.errors.value['password']}>
          {(control) => (
            <input
              {...control}
              ref={passwordRef}
              class="input"
              type="password"
              name="password"
              autoComplete="current-password"
              onInput={() => form.setError('password', null)}
            />
          )}
        </Field>
        <Button type="submit" variant="primary" class="btn-block" busy={form.busy.value} busyLabel="Logging in…" disabled={waiting}>
          Log in
        </Button>
      </form>
    </main>
  )
}
