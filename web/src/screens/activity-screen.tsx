/**
 * `/settings/activity`: the audit log across every secret, deleted ones
 * included, filtered by the URL's query (activity-filters.tsx), with an
 * export of every filtered row, not only the loaded ones: a link to
 * `GET /audit/export`, which the browser downloads with the session cookie.
 */
import { useModel } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import type { ApiClient } from '../api.ts'
import { ActivityModel } from '../models/activity-model.ts'
import { navigate, PAGES, route, withQuery } from '../router.ts'
import { Button } from '../ui/button.tsx'
import { ActivityFilters, filtersOf } from './activity-filters.tsx'
import { ActivityTable } from './activity-table.tsx'
import { PageHead } from './page-head.tsx'

/** Props of {@link ActivityScreen}. */
export interface ActivityScreenProps {
  api: ApiClient
}

/** The Activity page. */
export function ActivityScreen({ api }: ActivityScreenProps) {
  const model = useModel(() => new ActivityModel(api))
  const filters = filtersOf(route.value.query)
  const key = JSON.stringify(filters)

  useEffect(() => {
    void model.load(filters)
  }, [key])

  return (
    <>
      <PageHead
        title="Activity"
        lead="Every read and change of every secret, deleted ones included, newest first. Values are never shown here or in the export."
        action={
          <a class="btn btn-secondary" href={api.auditExportUrl(filters)} download>
            Export JSON lines
          </a>
        }
      />
      <ActivityFilters
        filters={filters}
        error={model.filterError.value}
        onApply={(next) => {
          // The same filters again: a refresh (the URL, and so the effect above, would not change).
          if (JSON.stringify(next) === key) void model.load(next)
          else navigate(withQuery(PAGES.activity, { ...next }))
        }}
      />
      <ActivityTable model={model} links caption="Activity" />
      {model.status.value === 'error' && !model.filterError.value ? (
        <Button onClick={() => void model.load(filters)}>Try again</Button>
      ) : null}
    </>
  )
}
