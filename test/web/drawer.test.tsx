import { describe, expect, test } from 'bun:test'
import { signal } from '@preact/signals'
import { act, fireEvent, render } from '@testing-library/preact'
import { Drawer } from '../../web/src/ui/drawer.tsx'
import { useHappyDom } from './dom.ts'

useHappyDom()

/** A page with a button that opens a drawer holding two inputs. */
function Harness({ open, closes }: { open: ReturnType<typeof signal<boolean>>; closes: { count: number } }) {
  const close = () => {
    closes.count++
    open.value = false
  }
  return (
    <div>
      <button type="button" onClick={() => (open.value = true)}>
        Open
      </button>
      <button type="button">Elsewhere</button>
      {open.value ? (
        <Drawer title="Add secret" onClose={close} footer={<button type="button">Save</button>}>
          <input aria-label="First" />
          <input aria-label="Second" />
        </Drawer>
      ) : null}
    </div>
  )
}

function setup() {
  const open = signal(false)
  const closes = { count: 0 }
  const utils = render(<Harness open={open} closes={closes} />)
  const opener = utils.getByRole('button', { name: 'Open' })
  opener.focus()
  fireEvent.click(opener)
  return { ...utils, open, closes, opener }
}

const tab = (shiftKey = false) => fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Tab', shiftKey })

describe('Drawer', () => {
  test('is a modal dialog labelled by its title', () => {
    const { getByRole } = setup()
    const dialog = getByRole('dialog')
    expect(dialog.getAttribute('aria-modal')).toBe('true')
    const title = document.getElementById(dialog.getAttribute('aria-labelledby')!)
    expect(title?.textContent).toBe('Add secret')
    expect(getByRole('dialog', { name: 'Add secret' })).toBe(dialog)
  })

  test('moves focus to the first field of its body on open', () => {
    const { getByLabelText } = setup()
    expect(document.activeElement).toBe(getByLabelText('First'))
  })

  test('Tab and Shift+Tab cycle inside: close button, fields, footer, and around', () => {
    const { getByLabelText, getByRole } = setup()
    const close = getByRole('button', { name: 'Close' })
    const save = getByRole('button', { name: 'Save' })
    tab()
    expect(document.activeElement).toBe(getByLabelText('Second'))
    tab()
    expect(document.activeElement).toBe(save)
    tab()
    expect(document.activeElement).toBe(close) // wrapped to the first
    tab(true)
    expect(document.activeElement).toBe(save) // and back to the last
    tab(true)
    expect(document.activeElement).toBe(getByLabelText('Second'))
  })

  test('focus that escapes (a script, a click behind) is pulled back inside', () => {
    const { getByRole } = setup()
    const dialog = getByRole('dialog')
    act(() => getByRole('button', { name: 'Elsewhere', hidden: true }).focus())
    expect(dialog.contains(document.activeElement)).toBe(true)
  })

  test('Tab still lands inside when focus fell to <body>', () => {
    const { getByRole } = setup()
    ;(document.activeElement as HTMLElement).blur()
    expect(document.activeElement).toBe(document.body)
    fireEvent.keyDown(document.body, { key: 'Tab' })
    expect(getByRole('dialog').contains(document.activeElement)).toBe(true)
  })

  test('Esc closes it and focus returns to the opener', () => {
    const { queryByRole, closes, opener } = setup()
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' })
    expect(closes.count).toBe(1)
    expect(queryByRole('dialog')).toBeNull()
    expect(document.activeElement).toBe(opener)
  })

  test('the close button closes it and focus returns to the opener', () => {
    const { getByRole, queryByRole, closes, opener } = setup()
    fireEvent.click(getByRole('button', { name: 'Close' }))
    expect(closes.count).toBe(1)
    expect(queryByRole('dialog')).toBeNull()
    expect(document.activeElement).toBe(opener)
  })

  test('a click on the backdrop closes it; a click inside does not', () => {
    const { getByRole, closes, container } = setup()
    fireEvent.click(getByRole('dialog'))
    expect(closes.count).toBe(0)
    fireEvent.click(container.querySelector('.backdrop')!)
    expect(closes.count).toBe(1)
  })

  test('focus goes to fallbackFocus when the opener is gone', () => {
    const open = signal(true)
    const showOpener = signal(true)
    function Page() {
      return (
        <div>
          <h1 tabIndex={-1}>Secrets</h1>
          {showOpener.value ? <button type="button">Row action</button> : null}
          {open.value ? (
            <Drawer title="T" onClose={() => (open.value = false)} fallbackFocus={() => document.querySelector('h1')}>
              <input aria-label="x" />
            </Drawer>
          ) : null}
        </div>
      )
    }
    open.value = false
    const { getByRole } = render(<Page />)
    getByRole('button', { name: 'Row action' }).focus()
    act(() => {
      open.value = true
    })
    act(() => {
      showOpener.value = false
    })
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' })
    expect(document.activeElement?.tagName).toBe('H1')
  })
})
