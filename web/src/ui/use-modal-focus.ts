/**
 * Focus handling shared by every modal surface (Drawer, ConfirmDialog):
 * on open, focus moves inside; Tab and Shift+Tab cycle within; Esc closes;
 * on close, focus returns to the element that had it before.
 *
 * Tab is handled in full rather than only at the edges: the browser's own
 * order would also work in the middle, but one code path for every press is
 * easier to reason about and behaves identically under happy-dom.
 */
import type { RefObject } from 'preact'
import { useLayoutEffect, useRef } from 'preact/hooks'
import { focusableElements } from './focusable.ts'

/**
 * Modals open right now, innermost last. Keys are handled on the document
 * rather than on the modal: when the focused element disappears (a "Load
 * more" button that is no longer needed), focus falls to <body>, and Tab or
 * Esc must still work.
 */
const openModals: HTMLElement[] = []

/** Options of {@link useModalFocus}. */
export interface ModalFocusOptions {
  /** called on Esc */
  onClose: () => void
  /**
   * Where focus goes on close when the opener is gone (for example the row of
   * a secret that was just deleted). Defaults to nothing (the browser's body).
   */
  fallbackFocus?: (() => HTMLElement | null | undefined) | undefined
}

/**
 * Moves focus into `ref` while mounted and traps it there. Initial focus goes
 * to the first `[data-autofocus]` element, else the first focusable element
 * of the `[data-modal-body]` part, else the first focusable element, else the
 * container itself (which therefore needs tabIndex={-1}).
 */
export function useModalFocus(ref: RefObject<HTMLElement | null>, options: ModalFocusOptions): void {
  // Latest callbacks in a ref: the effect must run once per open, not on every render.
  const latest = useRef(options)
  latest.current = options

  useLayoutEffect(() => {
    const container = ref.current
    if (!container) return
    // <body> is no opener: Safari does not focus a clicked button, so focus may be nowhere.
    const active = document.activeElement
    const opener = active instanceof HTMLElement && active !== document.body ? active : null

    const initial =
      container.querySelector<HTMLElement>('[data-autofocus]') ??
      focusableElements(container.querySelector('[data-modal-body]') ?? container)[0] ??
      focusableElements(container)[0] ??
      container
    initial.focus()

    function onKeyDown(event: KeyboardEvent) {
      if (event.key === 'Escape') {
        event.preventDefault()
        event.stopPropagation()
        latest.current.onClose()
        return
      }
      if (event.key !== 'Tab') return
      const items = focusableElements(container!)
      event.preventDefault()
      if (items.length === 0) {
        container!.focus()
        return
      }
      const index = items.indexOf(document.activeElement as HTMLElement)
      const step = event.shiftKey ? -1 : 1
      // From outside the list (the container itself), Tab goes to the first and Shift+Tab to the last.
      const next = index === -1 ? (event.shiftKey ? items.length - 1 : 0) : (index + step + items.length) % items.length
      items[next]!.focus()
    }

    // A click on the page behind, or a script, may move focus out; pull it back in.
    function onFocusIn(event: FocusEvent) {
      if (openModals[openModals.length - 1] !== container) return
      if (event.target instanceof Node && !container!.contains(event.target)) {
        ;(focusableElements(container!)[0] ?? container!).focus()
      }
    }

    // Only the topmost modal reacts, should one ever open another.
    function onDocumentKeyDown(event: KeyboardEvent) {
      if (openModals[openModals.length - 1] === container) onKeyDown(event)
    }

    const uninert = makeRestInert(container)
    openModals.push(container)
    document.addEventListener('keydown', onDocumentKeyDown)
    document.addEventListener('focusin', onFocusIn)
    return () => {
      openModals.splice(openModals.indexOf(container), 1)
      uninert()
      document.removeEventListener('keydown', onDocumentKeyDown)
      document.removeEventListener('focusin', onFocusIn)
      const target = opener && opener.isConnected ? opener : latest.current.fallbackFocus?.()
      target?.focus()
      // The render that closes the modal may also remove the opener (the row of
      // a deleted secret) right after this cleanup; look again once it is done.
      queueMicrotask(() => {
        const lost = document.activeElement === null || document.activeElement === document.body
        if (lost && !opener?.isConnected) latest.current.fallbackFocus?.()?.focus()
      })
    }
  }, [])
}

/**
 * Sets `inert` on everything but the modal: every sibling of the modal and
 * of each of its ancestors up to <body>. The page behind then leaves the
 * accessibility tree and takes no focus or click, in every browser with
 * `inert` (the focus trap above stays for the rest). Returns the undo, which
 * leaves alone what was inert before.
 */
function makeRestInert(modal: HTMLElement): () => void {
  const made: Element[] = []
  // The backdrop (or the dialog itself) is the part of the page the modal owns.
  let node: Element | null = modal.closest('.backdrop') ?? modal
  while (node && node !== document.body && node.parentElement) {
    for (const sibling of Array.from(node.parentElement.children)) {
      if (sibling === node || sibling.hasAttribute('inert') || sibling.tagName === 'SCRIPT') continue
      sibling.setAttribute('inert', '')
      made.push(sibling)
    }
    node = node.parentElement
  }
  return () => {
    for (const el of made) el.removeAttribute('inert')
  }
}
