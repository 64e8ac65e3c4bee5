/**
 * The frame of the Activity and Clients pages: the top bar (brand, section
 * links, who is signed in, log out) and the main landmark with the page's
 * heading, focused when the page opens so a screen reader starts there.
 */
import { useSignal } from '@preact/signals'
import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import type { SessionModel } from '../models/session-model.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { Brand } from './brand.tsx'
import { Nav } from './nav.tsx'

/** Props of {@link PageFrame}. */
export interface PageFrameProps {
  session: SessionModel
  title: string
  /** a line under the heading */
  lead?: ComponentChildren
  /** the page's main action, beside the heading */
  action?: ComponentChildren
  children: ComponentChildren
}

/** A page with the shared top bar. */
export function PageFrame({ session, title, lead, action, children }: PageFrameProps) {
  const loggingOut = useSignal(false)
  const logoutError = useSignal<string | null>(null)
  const headingRef = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = `${title} · claude-hooks-secrets`
    headingRef.current?.focus()
  }, [title])

  async function logout() {
    loggingOut.value = true
    const error = await session.logout()
    loggingOut.value = false
    logoutError.value = error ? error.message : null
  }

  return (
    <div class="page">
      <header class="topbar">
        <Brand />
        <Nav />
        <div class="topbar-user">
          <span class="muted">
            Signed in as <strong>{session.username}</strong>
          </span>
          <Button variant="ghost" size="small" busy={loggingOut.value} busyLabel="Logging out…" onClick={() => void logout()}>
            Log out
          </Button>
        </div>
      </header>
      <main class="content">
        <div class="page-head">
          <div>
            <h1 ref={headingRef} tabIndex={-1}>
              {title}
            </h1>
            {lead ? <p class="muted">{lead}</p> : null}
          </div>
          {action}
        </div>
        {logoutError.value ? (
          <Banner tone="error" onDismiss={() => (logoutError.value = null)}>
            {logoutError}
          </Banner>
        ) : null}
        {children}
      </main>
    </div>
  )
}
