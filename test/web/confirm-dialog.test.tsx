import { describe, expect, test } from 'bun:test'
import { signal } from '@preact/signals'
import { fireEvent, render } from '@testing-library/preact'
import { ConfirmDialog } from '../../web/src/ui/confirm-dialog.tsx'
import { useHappyDom } from './dom.ts'

useHappyDom()

function setup(variant: 'primary' | 'danger', extra: { disabled?: boolean; busy?: boolean } = {}) {
  const open = signal(false)
  const calls = { confirm: 0, cancel: 0 }
  function Page() {
    return (
      <div>
        <button type="button" onClick={() => (open.value = true)}>
          Ask
        </button>
        {open.value ? (
          <ConfirmDialog
            title="Rotate FOO?"
            confirmLabel="Rotate"
            variant={variant}
            confirmDisabled={extra.disabled}
            busy={extra.busy}
            onConfirm={() => calls.confirm++}
            onCancel={() => {
              calls.cancel++
              open.value = false
            }}
          >
            <p>Re-encrypts it.</p>
          </ConfirmDialog>
        ) : null}
      </div>
    )
  }
  const utils = render(<Page />)
  const opener = utils.getByRole('button', { name: 'Ask' })
  opener.focus()
  fireEvent.click(opener)
  return { ...utils, calls, opener }
}

describe('ConfirmDialog', () => {
  test('primary: a modal dialog named by its title, described by its body, focus on the action', () => {
    const { getByRole } = setup('primary')
    const dialog = getByRole('dialog', { name: 'Rotate FOO?' })
    expect(dialog.getAttribute('aria-modal')).toBe('true')
    expect(document.getElementById(dialog.getAttribute('aria-describedby')!)?.textContent).toBe('Re-encrypts it.')
    expect(document.activeElement).toBe(getByRole('button', { name: 'Rotate' }))
  })

  test('danger: an alertdialog with focus on Cancel, so Enter destroys nothing', () => {
    const { getByRole } = setup('danger')
    getByRole('alertdialog', { name: 'Rotate FOO?' })
    expect(document.activeElement).toBe(getByRole('button', { name: 'Cancel' }))
  })

  test('confirm runs onConfirm; Cancel and Esc run onCancel and return focus', () => {
    const { getByRole, calls, opener } = setup('primary')
    fireEvent.click(getByRole('button', { name: 'Rotate' }))
    expect(calls.confirm).toBe(1)
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' })
    expect(calls.cancel).toBe(1)
    expect(document.activeElement).toBe(opener)
  })

  test('Tab cycles between Cancel and the action', () => {
    const { getByRole } = setup('primary')
    const cancel = getByRole('button', { name: 'Cancel' })
    const confirm = getByRole('button', { name: 'Rotate' })
    fireEvent.keyDown(confirm, { key: 'Tab' })
    expect(document.activeElement).toBe(cancel)
    fireEvent.keyDown(cancel, { key: 'Tab', shiftKey: true })
    expect(document.activeElement).toBe(confirm)
  })

  test('confirmDisabled holds the action back', () => {
    const { getByRole, calls } = setup('danger', { disabled: true })
    const confirm = getByRole('button', { name: 'Rotate' }) as HTMLButtonElement
    expect(confirm.disabled).toBe(true)
    fireEvent.submit(confirm.closest('form')!)
    expect(calls.confirm).toBe(0)
  })

  test('busy: the action shows busy and Esc does not cancel a request in flight', () => {
    const { getByRole, calls } = setup('primary', { busy: true })
    expect(getByRole('button', { name: 'Rotate' }).getAttribute('aria-busy')).toBe('true')
    fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' })
    expect(calls.cancel).toBe(0)
  })
})
