/**
 * The page: which screen to show follows the session model alone. Models are
 * made by the caller (main.tsx, or a test) and passed in, so the same App runs
 * against the real server or a fetch stub.
 */
import type { ApiClient } from '../api.ts'
import type { SecretsModel } from '../models/secrets-model.ts'
import type { SessionModel } from '../models/session-model.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { AppShell } from './app-shell.tsx'
import { LoginScreen } from './login-screen.tsx'
import { SecretsScreen } from './secrets-screen.tsx'

/** Props of {@link App}. */
export interface AppProps {
  api: ApiClient
  session: SessionModel
  secrets: SecretsModel
}

/** Root component: loading, login, or the secrets screen. */
export function App({ api, session, secrets }: AppProps) {
  switch (session.status.value) {
    case 'checking':
      return (
        <main class="centered">
          <p class="muted" role="status">
            Loading…
          </p>
        </main>
      )
    case 'unavailable':
      return (
        <main class="centered">
          <div class="card">
            <Banner tone="error">{session.checkError}</Banner>
            <Button variant="primary" onClick={() => void session.restore()}>
              Try again
            </Button>
          </div>
        </main>
      )
    case 'anonymous':
      return <LoginScreen session={session} />
    case 'authenticated':
      return (
        <AppShell session={session} current="/settings/secrets">
          <SecretsScreen api={api} session={session} secrets={secrets} />
        </AppShell>
      )
  }
}
