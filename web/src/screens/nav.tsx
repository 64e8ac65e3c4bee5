/**
 * The links between the pages. Real links (a middle click opens a new tab),
 * followed in place by {@link navigate}; the current one is `aria-current`.
 */
import { navigate, PAGES, route } from '../router.ts'

const LINKS: Array<[label: string, path: string]> = [
  ['Secrets', PAGES.secrets],
  ['Activity', PAGES.activity],
  ['Clients', PAGES.clients],
]

/** The section links of the top bar. */
export function Nav() {
  const current = route.value.path
  return (
    <nav class="nav" aria-label="Sections">
      {LINKS.map(([label, path]) => (
        <a
          key={path}
          class="nav-link"
          href={path}
          aria-current={current === path ? 'page' : undefined}
          onClick={(event) => {
            // Let the browser handle new-tab and new-window clicks.
            if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
            event.preventDefault()
            navigate(path)
          }}
        >
          {label}
        </a>
      ))}
    </nav>
  )
}
