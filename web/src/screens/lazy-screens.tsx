/**
 * The parts of the console that are their own files (ui/lazy.tsx): the
 * Activity and Clients pages, and the secret drawers opened from a secret's
 * details (History, Edit description, Access log). The details drawer
 * starts fetching the drawers when it opens, so they are there by the time
 * an action is chosen.
 */
import type { ComponentType } from 'preact'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { Drawer } from '../ui/drawer.tsx'
import { lazy } from '../ui/lazy.tsx'
import type { AccessLogDrawerProps } from './access-log-drawer.tsx'
import type { ActivityScreenProps } from './activity-screen.tsx'
import type { ClientsScreenProps } from './clients-screen.tsx'
import type { DescriptionDrawerProps } from './description-drawer.tsx'
import type { VersionsDrawerProps } from './versions-drawer.tsx'

const notLoaded = (what: string) => `${what} could not be loaded. Check that the server is running, then try again.`

function FailedPage({ title, retry }: { title: string; retry: () => void }) {
  return (
    <div class="load-error">
      <Banner tone="error">{notLoaded(`The ${title} page`)}</Banner>
      <Button onClick={retry}>Try again</Button>
    </div>
  )
}

function lazyPage<P extends object>(title: string, load: () => Promise<ComponentType<P>>) {
  return lazy<P>(load, {
    loading: () => (
      <p class="muted" role="status">
        Loading the {title} page…
      </p>
    ),
    failed: (_props, retry) => <FailedPage title={title} retry={retry} />,
  })
}

/** A drawer's own title while its code cannot be fetched: the same modal, with the reason and Try again. */
function lazyDrawer<P extends { onClose: () => void; fallbackFocus?: (() => HTMLElement | null | undefined) | undefined }>(
  title: string,
  load: () => Promise<ComponentType<P>>,
) {
  return lazy<P>(load, {
    // Nothing yet: the file is usually there already (preloaded with the details drawer).
    loading: () => null,
    failed: (props, retry) => (
      <Drawer title={title} onClose={props.onClose} fallbackFocus={props.fallbackFocus} footer={<Button onClick={props.onClose}>Close</Button>}>
        <Banner tone="error">{notLoaded(title)}</Banner>
        <Button onClick={retry}>Try again</Button>
      </Drawer>
    ),
  })
}

export const ActivityScreen = lazyPage<ActivityScreenProps>('Activity', () => import('./activity-screen.tsx').then((m) => m.ActivityScreen))
export const ClientsScreen = lazyPage<ClientsScreenProps>('Clients', () => import('./clients-screen.tsx').then((m) => m.ClientsScreen))
export const VersionsDrawer = lazyDrawer<VersionsDrawerProps>('Version history', () => import('./versions-drawer.tsx').then((m) => m.VersionsDrawer))
export const DescriptionDrawer = lazyDrawer<DescriptionDrawerProps>('Edit description', () =>
  import('./description-drawer.tsx').then((m) => m.DescriptionDrawer),
)
export const AccessLogDrawer = lazyDrawer<AccessLogDrawerProps>('Access log', () => import('./access-log-drawer.tsx').then((m) => m.AccessLogDrawer))

/** Starts fetching the drawers a secret's details lead to. */
export function preloadSecretDrawers(): void {
  void VersionsDrawer.preload()
  void DescriptionDrawer.preload()
  void AccessLogDrawer.preload()
}

/** Every lazy part, for tests that want them fetched before they render. */
export const LAZY_PARTS = [ActivityScreen, ClientsScreen, VersionsDrawer, DescriptionDrawer, AccessLogDrawer] as const
