/** A client's own access history: the audit log filtered by accessor `client:NAME`. */
import { useModel } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import type { ApiClient } from '../api.ts'
import { ActivityModel } from '../models/activity-model.ts'
import { navigate, PAGES, withQuery } from '../router.ts'
import { Button } from '../ui/button.tsx'
import { Drawer } from '../ui/drawer.tsx'
import { ActivityTable } from './activity-table.tsx'

/** Props of {@link ClientHistoryDrawer}. */
export interface ClientHistoryDrawerProps {
  api: ApiClient
  name: string
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
}

/** The access history drawer of client `name`. */
export function ClientHistoryDrawer({ api, name, onClose, fallbackFocus }: ClientHistoryDrawerProps) {
  const model = useModel(() => new ActivityModel(api))
  const accessor = `client:${name}`
  useEffect(() => {
    void model.load({ accessor })
  }, [])
  const href = withQuery(PAGES.activity, { accessor })
  return (
    <Drawer
      title="Access history"
      subtitle={<code>{name}</code>}
      onClose={onClose}
      fallbackFocus={fallbackFocus}
      wide
      footer={
        <>
          <a
            class="btn btn-secondary"
            href={href}
            onClick={(event) => {
              if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
              event.preventDefault()
              navigate(href)
            }}
          >
            Open in Activity
          </a>
          <Button onClick={onClose}>Close</Button>
        </>
      }
    >
      <ActivityTable model={model} caption={`Access history of ${name}`} />
    </Drawer>
  )
}
