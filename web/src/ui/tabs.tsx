/**
 * Tabs after the WAI-ARIA pattern: one tab stop for the whole tablist (roving
 * tabindex), Left/Right/Home/End move and select at once (automatic
 * activation, fine here because panels render from memory), and every tab
 * controls its own panel, labelled back by the tab.
 */
import type { ComponentChildren } from 'preact'
import { useId, useRef, useState } from 'preact/hooks'

/** One tab and the panel it shows. */
export interface TabItem {
  /** stable key, also used in element ids */
  id: string
  label: ComponentChildren
  panel: ComponentChildren
}

/** Props of {@link Tabs}. */
export interface TabsProps {
  /** accessible name of the tablist, e.g. "Access log views" */
  label: string
  items: TabItem[]
  /** id of the tab selected first; defaults to the first item */
  initial?: string
  /** told about every change of selection */
  onSelect?: (id: string) => void
}

/** A tablist with its panels; inactive panels stay in the DOM but `hidden`. */
export function Tabs({ label, items, initial, onSelect }: TabsProps) {
  const prefix = useId()
  const [selected, setSelected] = useState(initial ?? items[0]?.id)
  const tabRefs = useRef<Array<HTMLButtonElement | null>>([])
  const tabId = (id: string) => `${prefix}-tab-${id}`
  const panelId = (id: string) => `${prefix}-panel-${id}`

  function select(index: number) {
    const item = items[index]
    if (!item) return
    setSelected(item.id)
    tabRefs.current[index]?.focus()
    onSelect?.(item.id)
  }

  function onKeyDown(event: KeyboardEvent) {
    const current = items.findIndex((item) => item.id === selected)
    const last = items.length - 1
    let next: number
    switch (event.key) {
      case 'ArrowRight':
        next = current === last ? 0 : current + 1
        break
      case 'ArrowLeft':
        next = current <= 0 ? last : current - 1
        break
      case 'Home':
        next = 0
        break
      case 'End':
        next = last
        break
      default:
        return
    }
    event.preventDefault()
    select(next)
  }

  return (
    <div class="tabs">
      <div class="tablist" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
        {items.map((item, index) => {
          const active = item.id === selected
          return (
            <button
              key={item.id}
              ref={(el) => {
                tabRefs.current[index] = el
              }}
              type="button"
              role="tab"
              id={tabId(item.id)}
              class={active ? 'tab tab-active' : 'tab'}
              aria-selected={active ? 'true' : 'false'}
              aria-controls={panelId(item.id)}
              tabIndex={active ? 0 : -1}
              onClick={() => select(index)}
            >
              {item.label}
            </button>
          )
        })}
      </div>
      {items.map((item) => (
        <div
          key={item.id}
          role="tabpanel"
          id={panelId(item.id)}
          aria-labelledby={tabId(item.id)}
          class="tabpanel"
          tabIndex={0}
          hidden={item.id !== selected}
        >
          {item.panel}
        </div>
      ))}
    </div>
  )
}
