/** What the secrets screen shows before the first secret exists: both ways to add one. */
import { Button } from '../ui/button.tsx'

/** Props of {@link EmptyState}. */
export interface EmptyStateProps {
  onAdd: () => void
}

/** The empty store: an Add button and the command-line alternative. */
export function EmptyState({ onAdd }: EmptyStateProps) {
  return (
    <section class="empty" aria-labelledby="empty-title">
      <h2 id="empty-title">No secrets yet</h2>
      <p>
        Add the first one here, then reference it from any artifact as <code>{'${SECRET:NAME}'}</code>.
      </p>
      <Button variant="primary" onClick={onAdd}>
        Add your first secret
      </Button>
      <p class="muted">
        Or from a shell on the server host (the value is read from stdin, never from the command line):
      </p>
      <pre class="command">
        <code>npx secrets set NAME</code>
      </pre>
    </section>
  )
}
