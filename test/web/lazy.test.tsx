import { describe, expect, test } from 'bun:test'
import { act, fireEvent, render } from '@testing-library/preact'
import { lazy } from '../../web/src/ui/lazy.tsx'
import { useHappyDom } from './dom.ts'
import { settle } from './app-harness.tsx'

useHappyDom()

function Hello({ who }: { who: string }) {
  return <p>Hello {who}</p>
}

/** A lazy Hello whose first `failures` fetches fail, counting the fetches. */
function lazyHello(failures: number) {
  const calls = { count: 0 }
  const Lazy = lazy<{ who: string }>(
    async () => {
      calls.count++
      if (calls.count <= failures) throw new TypeError('Failed to fetch dynamically imported module')
      return Hello
    },
    {
      loading: () => <p role="status">Loading…</p>,
      failed: (_props, retry) => (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ),
    },
  )
  return { Lazy, calls }
}

describe('lazy', () => {
  test('shows its loading state, then the component with its props; fetched once however often it renders', async () => {
    const { Lazy, calls } = lazyHello(0)
    const view = render(<Lazy who="alice" />)
    expect(view.getByRole('status').textContent).toBe('Loading…')
    await settle()
    expect(view.container.textContent).toBe('Hello alice')
    view.rerender(<Lazy who="bob" />)
    await Lazy.preload()
    await settle()
    expect(view.container.textContent).toBe('Hello bob')
    expect(calls.count).toBe(1)
  })

  test('a failed fetch shows the failed state; retry fetches again and shows the component', async () => {
    const { Lazy, calls } = lazyHello(1)
    const view = render(<Lazy who="alice" />)
    await settle()
    expect(view.container.textContent).toBe('Try again')
    await act(() => {
      fireEvent.click(view.getByRole('button', { name: 'Try again' }))
    })
    await settle()
    expect(view.container.textContent).toBe('Hello alice')
    expect(calls.count).toBe(2)
  })

  test('preload fetches before the first render', async () => {
    const { Lazy, calls } = lazyHello(0)
    await Lazy.preload()
    expect(calls.count).toBe(1)
    const view = render(<Lazy who="carol" />)
    expect(view.container.textContent).toBe('Hello carol')
  })
})
