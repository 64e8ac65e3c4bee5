import type { ApiClient } from '../api.ts'
import type { SessionModel } from '../models/session-model.ts'
import { PageFrame } from './page-frame.tsx'

/** Props of {@link ClientsScreen}. */
export interface ClientsScreenProps {
  api: ApiClient
  session: SessionModel
}

/** `/settings/clients` (placeholder until the page lands). */
export function ClientsScreen({ session }: ClientsScreenProps) {
  return (
    <PageFrame session={session} title="Clients">
      <p class="muted">Clients</p>
    </PageFrame>
  )
}
