import { describe, expect, test } from 'bun:test'
import { fireEvent, render } from '@testing-library/preact'
import { Tabs } from '../../web/src/ui/tabs.tsx'
import { useHappyDom } from './dom.ts'

useHappyDom()

const items = [
  { id: 'reads', label: 'Reads', panel: <p>read rows</p> },
  { id: 'changes', label: 'Changes', panel: <p>change rows</p> },
  { id: 'other', label: 'Other', panel: <p>other rows</p> },
]

function setup(onSelect?: (id: string) => void) {
  const utils = render(<Tabs label="Access log views" items={items} onSelect={onSelect} />)
  const tabs = utils.getAllByRole('tab')
  return { ...utils, tabs }
}

function selectedIndex(tabs: HTMLElement[]) {
  return tabs.findIndex((tab) => tab.getAttribute('aria-selected') === 'true')
}

describe('Tabs', () => {
  test('a labelled tablist of tabs, the first selected and the only tab stop', () => {
    const { getByRole, tabs } = setup()
    expect(getByRole('tablist').getAttribute('aria-label')).toBe('Access log views')
    expect(tabs.map((t) => t.textContent)).toEqual(['Reads', 'Changes', 'Other'])
    expect(tabs.map((t) => t.getAttribute('aria-selected'))).toEqual(['true', 'false', 'false'])
    expect(tabs.map((t) => t.getAttribute('tabindex'))).toEqual(['0', '-1', '-1'])
  })

  test('each tab controls its panel, and the panel is labelled by its tab', () => {
    const { tabs, container } = setup()
    const panels = Array.from(container.querySelectorAll<HTMLElement>('[role="tabpanel"]'))
    expect(panels).toHaveLength(3)
    tabs.forEach((tab, i) => {
      const panel = document.getElementById(tab.getAttribute('aria-controls')!)!
      expect(panel).toBe(panels[i]!)
      expect(panel.getAttribute('role')).toBe('tabpanel')
      expect(panel.getAttribute('aria-labelledby')).toBe(tab.id)
    })
    expect(panels.map((p) => p.hidden)).toEqual([false, true, true])
  })

  test('ArrowRight and ArrowLeft move selection and focus, wrapping at the ends', () => {
    const seen: string[] = []
    const { tabs } = setup((id) => seen.push(id))
    tabs[0]!.focus()
    fireEvent.keyDown(tabs[0]!, { key: 'ArrowRight' })
    expect(selectedIndex(tabs)).toBe(1)
    expect(document.activeElement).toBe(tabs[1]!)
    fireEvent.keyDown(tabs[1]!, { key: 'ArrowRight' })
    fireEvent.keyDown(tabs[2]!, { key: 'ArrowRight' })
    expect(selectedIndex(tabs)).toBe(0)
    expect(document.activeElement).toBe(tabs[0]!)
    fireEvent.keyDown(tabs[0]!, { key: 'ArrowLeft' })
    expect(selectedIndex(tabs)).toBe(2)
    expect(document.activeElement).toBe(tabs[2]!)
    expect(seen).toEqual(['changes', 'other', 'reads', 'other'])
  })

  test('Home and End jump to the first and last tab', () => {
    const { tabs } = setup()
    fireEvent.keyDown(tabs[0]!, { key: 'End' })
    expect(selectedIndex(tabs)).toBe(2)
    expect(document.activeElement).toBe(tabs[2]!)
    fireEvent.keyDown(tabs[2]!, { key: 'Home' })
    expect(selectedIndex(tabs)).toBe(0)
    expect(document.activeElement).toBe(tabs[0]!)
  })

  test('the selected panel is shown, the others hidden; roving tabindex follows', () => {
    const { tabs, getByText } = setup()
    fireEvent.click(tabs[1]!)
    expect(getByText('change rows').closest('[role="tabpanel"]')!.hasAttribute('hidden')).toBe(false)
    expect(getByText('read rows').closest('[role="tabpanel"]')!.hasAttribute('hidden')).toBe(true)
    expect(tabs.map((t) => t.getAttribute('tabindex'))).toEqual(['-1', '0', '-1'])
  })

  test('other keys are left alone', () => {
    const { tabs } = setup()
    const event = new KeyboardEvent('keydown', { key: 'a', bubbles: true, cancelable: true })
    tabs[0]!.dispatchEvent(event)
    expect(event.defaultPrevented).toBe(false)
    expect(selectedIndex(tabs)).toBe(0)
  })
})
