/**
 * The Activity page's filters. They live in the URL (router.ts): applying
 * them navigates, so Back undoes a filter and a filtered view can be
 * bookmarked. The form is keyed by the query, so its inputs show what the
 * URL says after Back. A filter the server refused shows its message at
 * the field.
 */
import { ACTION_CHOICES, OUTCOME_CHOICES } from '../audit-wording.ts'
import type { FilterError } from '../models/activity-model.ts'
import type { AuditFilters } from '../types.ts'
import { Button } from '../ui/button.tsx'
import { Field } from '../ui/field.tsx'

/** The query parameters of the filters, the same names as `GET /audit`'s. */
export const FILTER_KEYS = ['secret', 'accessor', 'action', 'outcome', 'since', 'until'] as const

/** The filters a query string holds (unknown parameters ignored, empty ones unset). */
export function filtersOf(query: URLSearchParams): AuditFilters {
  const filters: AuditFilters = {}
  for (const key of FILTER_KEYS) {
    const value = query.get(key)?.trim()
    if (value) filters[key] = value
  }
  return filters
}

/** Props of {@link ActivityFilters}. */
export interface ActivityFiltersProps {
  filters: AuditFilters
  error: FilterError | null
  onApply: (filters: AuditFilters) => void
}

const TIME_HINT = 'UTC: 2026-12-01 or 2026-12-01T13:45Z'

/** The filter form. */
export function ActivityFilters({ filters, error, onApply }: ActivityFiltersProps) {
  const errorOf = (field: string) => (error?.field === field ? error.message : null)

  function submit(event: Event) {
    event.preventDefault()
    const data = new FormData(event.currentTarget as HTMLFormElement)
    const next: AuditFilters = {}
    for (const key of FILTER_KEYS) {
      const value = String(data.get(key) ?? '').trim()
      if (value) next[key] = value
    }
    onApply(next)
  }

  const text = (name: (typeof FILTER_KEYS)[number], label: string, placeholder: string, hint?: string) => (
    <Field label={label} error={errorOf(name)} hint={hint}>
      {(control) => (
        <input {...control} class="input" name={name} type="text" placeholder={placeholder} value={filters[name] ?? ''} autoComplete="off" spellcheck={false} />
      )}
    </Field>
  )
  const choice = (name: 'action' | 'outcome', label: string, choices: Array<[string, string]>) => (
    <Field label={label} error={errorOf(name)}>
      {(control) => (
        <select {...control} class="input" name={name} value={filters[name] ?? ''}>
          <option value="">Any</option>
          {choices.map(([value, words]) => (
            <option key={value} value={value}>
              {words}
            </option>
          ))}
        </select>
      )}
    </Field>
  )

  return (
    <form class="activity-filters" aria-label="Filter activity" onSubmit={submit} key={JSON.stringify(filters)}>
      {text('secret', 'Secret', 'GITHUB_TOKEN')}
      {text('accessor', 'Who', 'client:mcp-github')}
      {choice('action', 'What', ACTION_CHOICES)}
      {choice('outcome', 'Outcome', OUTCOME_CHOICES)}
      {text('since', 'From', '2026-12-01', TIME_HINT)}
      {text('until', 'Before', '2026-12-02', TIME_HINT)}
      <div class="activity-filter-actions">
        <Button type="submit" variant="primary">
          Apply filters
        </Button>
        {Object.keys(filters).length > 0 ? <Button onClick={() => onApply({})}>Clear filters</Button> : null}
      </div>
    </form>
  )
}
