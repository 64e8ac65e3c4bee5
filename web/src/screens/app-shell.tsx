/**
 * The frame around every signed-in page: a skip link, the banner landmark
 * (brand, navigation, who is signed in, log out), the session warning, and
 * the page itself in the one `main` landmark. The navigation's links are
 * real links (a middle click opens a new tab), followed in place by the
 * router (router.ts) on a plain click. Drawers and dialogs are
 * rendered by the pages as siblings of this frame's parts and make the rest
 * of the page inert while open (ui/use-modal-focus.ts).
 */
import { useSignal } from '@preact/signals'
import type { ComponentChildren } from 'preact'
import { useEffect } from 'preact/hooks'
import type { SessionModel } from '../models/session-model.ts'
import { navigate } from '../router.ts'
import { Button } from '../ui/button.tsx'
import { ModalExtra } from '../ui/modal-extra.ts'
import { Brand } from './brand.tsx'
import { NAV_ENTRIES } from './nav-entries.ts'
import { SessionWarning } from './session-warning.tsx'

/** Props of {@link AppShell}. */
export interface AppShellProps {
  session: SessionModel
  /** the path of the page shown, for `aria-current` */
  current: string
  children: ComponentChildren
}

/** The signed-in frame. */
export function AppShell({ session, current, children }: AppShellProps) {
  const loggingOut = useSignal(false)
  const label = NAV_ENTRIES.find((entry) => entry.path === current)?.label
  useEffect(() => {
    document.title = label ? `${label} · claude-hooks-secrets` : 'claude-hooks-secrets'
  }, [label])
  async function logout() {
    loggingOut.value = true
    // The page is cleared whatever the server says (session-model.ts); the login screen tells the rest.
    await session.logout()
    loggingOut.value = false
  }
  return (
    <div class="page">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Brand />
        <nav class="topnav" aria-label="Main">
          <ul>
            {NAV_ENTRIES.map((entry) => (
              <li key={entry.path}>
                <a
                  href={entry.path}
                  aria-current={entry.path === current ? 'page' : undefined}
                  onClick={(event) => {
                    // New-tab and new-window clicks stay the browser's.
                    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
                    event.preventDefault()
                    navigate(entry.path)
                  }}
                >
                  {entry.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="topbar-user">
          <span class="muted">
            Signed in as <strong>{session.username}</strong>
          </span>
          <Button variant="ghost" size="small" busy={loggingOut.value} busyLabel="Logging out…" onClick={() => void logout()}>
            Log out
          </Button>
        </div>
      </header>
      <SessionWarning session={session} onLogout={() => void logout()} />
      <main id="main" class="content" tabIndex={-1}>
        {/* Drawers and dialogs opened by the page show the warning too (ui/modal-extra.ts). */}
        <ModalExtra.Provider value={<SessionWarning session={session} onLogout={() => void logout()} />}>{children}</ModalExtra.Provider>
      </main>
    </div>
  )
}
