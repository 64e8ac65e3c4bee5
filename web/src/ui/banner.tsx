/**
 * A message across the top of a form or page. Errors are role="alert" so they
 * are announced at once; notices are a polite status that does not interrupt.
 */
import type { ComponentChildren } from 'preact'

/** Props of {@link Banner}. */
export interface BannerProps {
  tone: 'error' | 'notice' | 'warning'
  children: ComponentChildren
  /** shows a dismiss button when given */
  onDismiss?: () => void
}

/** An inline message box; `tone` picks colour and live-region politeness. */
export function Banner({ tone, children, onDismiss }: BannerProps) {
  return (
    <div class={`banner banner-${tone}`} role={tone === 'error' ? 'alert' : 'status'} tabIndex={-1}>
      <div class="banner-text">{children}</div>
      {onDismiss ? (
        <button type="button" class="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          <span aria-hidden="true">×</span>
        </button>
      ) : null}
    </div>
  )
}
