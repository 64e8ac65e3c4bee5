/**
 * A side panel for a task (add a secret, read its log). It is a modal dialog:
 * the page behind is covered and focus stays inside until it closes. The
 * parent mounts it to open it and unmounts it to close it, so closing always
 * throws away whatever the panel held (which is how secret values are dropped).
 */
import type { ComponentChildren } from 'preact'
import { useContext, useId, useRef } from 'preact/hooks'
import { ModalExtra } from './modal-extra.ts'
import { useModalFocus } from './use-modal-focus.ts'

/** Props of {@link Drawer}. */
export interface DrawerProps {
  /** heading; also the dialog's accessible name */
  title: ComponentChildren
  /** one line under the title, e.g. the secret's name */
  subtitle?: ComponentChildren
  /** Esc, the close button and a click on the backdrop call this; the parent unmounts the drawer */
  onClose: () => void
  /** see {@link useModalFocus} */
  fallbackFocus?: () => HTMLElement | null | undefined
  /** buttons pinned to the bottom, outside the scrolling body */
  footer?: ComponentChildren
  /** wider panel, for tables */
  wide?: boolean
  children?: ComponentChildren
}

/** A modal side panel labelled by its title. */
export function Drawer({ title, subtitle, onClose, fallbackFocus, footer, wide = false, children }: DrawerProps) {
  const ref = useRef<HTMLDivElement>(null)
  const titleId = useId()
  const extra = useContext(ModalExtra)
  useModalFocus(ref, { onClose, fallbackFocus })

  return (
    <div
      class="backdrop"
      onClick={(event) => {
        // Only a click on the backdrop itself, not one that bubbled from inside the panel.
        if (event.target === event.currentTarget) onClose()
      }}
    >
      <div
        ref={ref}
        class={wide ? 'drawer drawer-wide' : 'drawer'}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
      >
        {/* Divs, not header/footer: inside a dialog those would be a second banner and contentinfo landmark. */}
        <div class="drawer-header">
          <div class="drawer-titles">
            <h2 id={titleId} class="drawer-title">
              {title}
            </h2>
            {subtitle ? <p class="drawer-subtitle">{subtitle}</p> : null}
          </div>
          <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
        {/* Outside the body, so first focus still goes to the form, not to a warning's button. */}
        {extra ? <div class="modal-extra">{extra}</div> : null}
        <div class="drawer-body" data-modal-body>
          {children}
        </div>
        {footer ? <div class="drawer-footer">{footer}</div> : null}
      </div>
    </div>
  )
}
