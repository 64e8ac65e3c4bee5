/**
 * Which elements Tab can reach inside a container. Layout-free on purpose (no
 * offsetParent checks) so the focus trap behaves the same in happy-dom tests
 * and in a browser; hidden content is excluded through `hidden` ancestors.
 */

const FOCUSABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
].join(',')

/** Elements inside `container` that take focus from the keyboard, in document order. */
export function focusableElements(container: Element): HTMLElement[] {
  return Array.from(container.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => el.closest('[hidden]') === null && el.getAttribute('tabindex') !== '-1',
  )
}
