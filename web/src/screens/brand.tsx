/** The product mark: a key icon and the name. Inline SVG so no extra request and no inline style. */
export function Brand() {
  return (
    <span class="brand">
      <svg class="brand-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
        <path
          fill="currentColor"
          d="M14.5 3a6.5 6.5 0 0 0-6.28 8.17L2.3 17.09a1 1 0 0 0-.3.71V21a1 1 0 0 0 1 1h3a1 1 0 0 0 1-1v-1h1a1 1 0 0 0 1-1v-1h1a1 1 0 0 0 .7-.29l1.13-1.13A6.5 6.5 0 1 0 14.5 3Zm1.5 4a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Z"
        />
      </svg>
      <span class="brand-name">claude-hooks-secrets</span>
    </span>
  )
}
