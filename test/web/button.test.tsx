import { describe, expect, test } from 'bun:test'
import { fireEvent, render } from '@testing-library/preact'
import { Button } from '../../web/src/ui/button.tsx'
import { useHappyDom } from './dom.ts'

useHappyDom()

describe('Button', () => {
  test('renders each variant as a class and defaults to type="button"', () => {
    const { getByRole } = render(
      <>
        <Button variant="primary">Save</Button>
        <Button>Cancel</Button>
        <Button variant="danger">Delete</Button>
      </>,
    )
    expect(getByRole('button', { name: 'Save' }).className).toBe('btn btn-primary')
    expect(getByRole('button', { name: 'Cancel' }).className).toBe('btn btn-secondary')
    expect(getByRole('button', { name: 'Delete' }).className).toBe('btn btn-danger')
    expect(getByRole('button', { name: 'Save' }).getAttribute('type')).toBe('button')
  })

  test('calls onClick when enabled, not when disabled', () => {
    let clicks = 0
    const { getByRole, rerender } = render(<Button onClick={() => clicks++}>Go</Button>)
    fireEvent.click(getByRole('button'))
    expect(clicks).toBe(1)
    rerender(
      <Button disabled onClick={() => clicks++}>
        Go
      </Button>,
    )
    const button = getByRole('button') as HTMLButtonElement
    expect(button.disabled).toBe(true)
    expect(button.hasAttribute('aria-busy')).toBe(false)
    fireEvent.click(button)
    expect(clicks).toBe(1)
  })

  test('busy: disabled, aria-busy="true", spinner and busy text instead of the label', () => {
    let clicks = 0
    const { getByRole } = render(
      <Button variant="primary" busy busyLabel="Saving…" onClick={() => clicks++}>
        Save
      </Button>,
    )
    const button = getByRole('button') as HTMLButtonElement
    expect(button.disabled).toBe(true)
    expect(button.getAttribute('aria-busy')).toBe('true')
    expect(button.querySelector('.spinner')?.getAttribute('aria-hidden')).toBe('true')
    expect(button.textContent).toBe('Saving…')
    fireEvent.click(button)
    expect(clicks).toBe(0)
  })

  test('busy without busyLabel keeps the label beside the spinner', () => {
    const { getByRole } = render(<Button busy>Rotate</Button>)
    expect(getByRole('button').textContent).toBe('Rotate')
    expect(getByRole('button').querySelector('.spinner')).not.toBeNull()
  })

  test('passes native attributes through and submits when type="submit"', () => {
    let submitted = 0
    const { getByRole, container } = render(
      <form
        onSubmit={(event) => {
          event.preventDefault()
          submitted++
        }}
      >
        <Button type="submit" aria-label="Send it" size="small">
          Send
        </Button>
      </form>,
    )
    const button = getByRole('button', { name: 'Send it' })
    expect(button.classList.contains('btn-small')).toBe(true)
    fireEvent.click(button)
    expect(submitted).toBe(1)
    expect(container.querySelector('[style]')).toBeNull()
  })
})
