/**
 * The head of a page inside the AppShell (which holds the one top bar): the
 * page's heading, focused when the page opens so a screen reader starts
 * there, a line under it, and the page's main action beside it.
 */
import type { ComponentChildren, RefObject } from 'preact'
import { useEffect, useRef } from 'preact/hooks'

/** Props of {@link PageHead}. */
export interface PageHeadProps {
  title: string
  /** a line under the heading */
  lead?: ComponentChildren
  /** the page's main action, beside the heading */
  action?: ComponentChildren
  /** the heading, for a page that sends focus back to it (after a dialog whose opener is gone) */
  headingRef?: RefObject<HTMLHeadingElement | null>
}

/** A page's heading, lead and action. */
export function PageHead({ title, lead, action, headingRef }: PageHeadProps) {
  const own = useRef<HTMLHeadingElement>(null)
  const ref = headingRef ?? own
  // Focus starts on the page's heading (after a login or a link in the nav it would stay behind).
  useEffect(() => ref.current?.focus(), [])
  return (
    <div class="page-head">
      <div>
        <h1 ref={ref} tabIndex={-1}>
          {title}
        </h1>
        {lead ? <p class="muted">{lead}</p> : null}
      </div>
      {action}
    </div>
  )
}
