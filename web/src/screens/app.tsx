/**
 * The page: loading, login, or the signed-in page, which follows the session
 * model and then the path (router.ts), always inside the AppShell. Models are
 * made by the caller (main.tsx, or a test) and passed in, so the same App runs
 * against the real server or a fetch stub.
 */
import type { ApiClient } from '../api.ts'
import type { SecretsModel } from '../models/secrets-model.ts'
import type { SessionModel } from '../models/session-model.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { PAGES, route } from '../router.ts'
import { AppShell } from './app-shell.tsx'
import { ActivityScreen, ClientsScreen } from './lazy-screens.tsx'
import { LoginScreen } from './login-screen.tsx'
import { SecretsScreen } from './secrets-screen.tsx'

/** Props of {@link App}. */
export interface AppProps {
  api: ApiClient
  session: SessionModel
  secrets: SecretsModel
}

/** Root component: loading, login, or the page the path names. */
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
      return <SignedIn api={api} session={session} secrets={secrets} />
  }
}

/** The page the path names (router.ts), inside the shell; any other path is the secrets list. */
function SignedIn({ api, session, secrets }: AppProps) {
  const path = route.value.path
  const page = path === PAGES.activity || path === PAGES.clients ? path : PAGES.secrets
  return (
    <AppShell session={session} current={page}>
      {page === PAGES.activity ? (
        <ActivityScreen api={api} />
      ) : page === PAGES.clients ? (
        <ClientsScreen api={api} />
      ) : (
        <SecretsScreen api={api} session={session} secrets={secrets} />
      )}
    </AppShell>
  )
}
