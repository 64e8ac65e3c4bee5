/**
 * Browser entry point, bundled by scripts/build-web.ts. Wires the API client
 * to the models and mounts the App into #app. Nothing here runs in tests:
 * they build the same pieces around a fetch stub.
 */
import './styles.css'
import './shell.css'
import './list.css'
import './pages.css'
import { render } from 'preact'
import { createApiClient } from './src/api.ts'
import { startClock } from './src/clock.ts'
import { startRouter } from './src/router.ts'
import { SecretsModel } from './src/models/secrets-model.ts'
import { SessionModel } from './src/models/session-model.ts'
import { App } from './src/screens/app.tsx'

// The callback runs only after a request, by which time `session` exists.
const api = createApiClient({ onUnauthenticated: () => session.expire(), onAuthenticatedRequest: () => session.touched() })
const session = new SessionModel(api)
const secrets = new SecretsModel(api)

startClock()
startRouter()
render(<App api={api} session={session} secrets={secrets} />, document.getElementById('app')!)
void session.restore()
