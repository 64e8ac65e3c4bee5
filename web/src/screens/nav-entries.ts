/**
 * The pages of the operator console, in the order the navigation shows them.
 * One entry a line: a new page adds its line here and its case in app.tsx.
 */

/** One link of the main navigation. */
export interface NavEntry {
  path: string
  label: string
}

/** Every page an operator can go to. */
export const NAV_ENTRIES: readonly NavEntry[] = [
  { path: '/settings/secrets', label: 'Secrets' },
]
