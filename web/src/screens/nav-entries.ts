/**
 * The pages of the operator console, in the order the navigation shows them.
 * One entry a line: a new page adds its line here, its path in router.ts
 * PAGES (and src/http/routes/ui-routes.ts UI_PAGES), and its case in app.tsx.
 */
import { PAGES } from '../router.ts'

/** One link of the main navigation. */
export interface NavEntry {
  path: string
  label: string
}

/** Every page an operator can go to. */
export const NAV_ENTRIES: readonly NavEntry[] = [
  { path: PAGES.secrets, label: 'Secrets' },
  { path: PAGES.activity, label: 'Activity' },
  { path: PAGES.clients, label: 'Clients' },
]
