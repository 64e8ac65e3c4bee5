/**
 * A button that copies a short, non-secret text (a `${SECRET:NAME}`
 * reference) to the clipboard and says so: its label turns to "Copied" for a
 * moment and `onCopied` lets the page announce it. When the browser refuses
 * (no clipboard API, no permission), `onCopied` gets false and the text to
 * show instead.
 */
import { useSignal } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import { Button } from './button.tsx'

/** Props of {@link CopyButton}. */
export interface CopyButtonProps {
  text: string
  /** visible label, e.g. "Copy reference" */
  label: string
  /**
   * Said after the label to assistive technology only, e.g. "of GITHUB_TOKEN"
   * (the accessible name starts with the visible label, as WCAG 2.5.3 asks)
   */
  srSuffix?: string
  onCopied?: (ok: boolean, text: string) => void
  size?: 'normal' | 'small'
}

/** Copies `text`; shows "Copied" for two seconds after success. */
export function CopyButton({ text, label, srSuffix, onCopied, size = 'small' }: CopyButtonProps) {
  const copied = useSignal(false)
  useEffect(() => {
    if (!copied.value) return
    const id = setTimeout(() => (copied.value = false), 2000)
    return () => clearTimeout(id)
  }, [copied.value])

  async function copy() {
    try {
      // A browser may leave the promise pending (no focus, a permission prompt): give up after 3 s.
      await Promise.race([
        navigator.clipboard.writeText(text),
        new Promise((_, reject) => setTimeout(() => reject(new Error('clipboard timeout')), 3000)),
      ])
      copied.value = true
      onCopied?.(true, text)
    } catch {
      onCopied?.(false, text)
    }
  }

  return (
    <Button size={size} variant="ghost" class="copy-button" onClick={() => void copy()}>
      {copied.value ? 'Copied' : label}
      {srSuffix ? <span class="sr-only"> {srSuffix}</span> : null}
    </Button>
  )
}
