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
import { PAGES, route } from '../router.ts'
import { ActivityScreen } from './activity-screen.tsx'
import { ClientsScreen } from './clients-screen.tsx'
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
      // The path picks the page (router.ts); any other path is the secrets list.
      switch (route.value.path) {
        case PAGES.activity:
          return <ActivityScreen api={api} session={session} />
        case PAGES.clients:
          return <ClientsScreen api={api} session={session} />
        default:
          return <SecretsScreen api={api} session={session} secrets={secrets} />
      }
  }
}
