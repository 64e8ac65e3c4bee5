/**
 * Issues a token for one client and shows it once, with a copy button and
 * the command that uses it. The token lives in this component's own signal
 * only: never in a model, the URL, storage or a log. Closing empties that
 * signal and unmounts the dialog, so no node or state holds it afterwards.
 */
import { useModel, useSignal } from '@preact/signals'
import type { ClientsModel } from '../models/clients-model.ts'
import { FormModel } from '../models/form-model.ts'
import type { IssuedToken } from '../types.ts'
import { Banner } from '../ui/banner.tsx'
import { Button } from '../ui/button.tsx'
import { Drawer } from '../ui/drawer.tsx'
import { Field } from '../ui/field.tsx'

const TTLS: Array<[value: string, label: string]> = [
  ['1d', '1 day'],
  ['7d', '7 days'],
  ['30d', '30 days'],
  ['90d', '90 days (default)'],
  ['365d', '1 year'],
]

/** The shell lines that use a token saved to `NAME.token`; they never contain the token. */
export function tokenCommands(name: string, origin: string): { save: string; render: string } {
  return {
    save: `umask 077; cat > ${name}.token   # paste the token, then Ctrl-D`,
    render: `CLAUDE_HOOKS_SECRETS_URL=${origin} CLAUDE_HOOKS_SECRETS_TOKEN_FILE=$PWD/${name}.token npx secrets render --reason "start ${name}" template.json out.json`,
  }
}

/** Props of {@link TokenDialog}. */
export interface TokenDialogProps {
  clients: ClientsModel
  name: string
  onClose: () => void
  fallbackFocus?: () => HTMLElement | null | undefined
}

function CopyButton({ text, label }: { text: () => string; label: string }) {
  const copied = useSignal<'idle' | 'done' | 'failed'>('idle')
  async function copy() {
    try {
      await navigator.clipboard.writeText(text())
      copied.value = 'done'
    } catch {
      // No clipboard (an insecure origin, a denied permission): the text is selectable, say so.
      copied.value = 'failed'
    }
  }
  return (
    <>
      <Button size="small" onClick={() => void copy()}>
        {label}
      </Button>
      <span class="muted" role="status">
        {copied.value === 'done' ? 'Copied.' : copied.value === 'failed' ? 'Copying failed: select the text and copy it.' : ''}
      </span>
    </>
  )
}

/** The issue-a-token dialog of client `name`. */
export function TokenDialog({ clients, name, onClose, fallbackFocus }: TokenDialogProps) {
  const form = useModel(() => new FormModel(['ttl']))
  const issued = useSignal<IssuedToken | null>(null)
  const formId = 'issue-token-form'
  const commands = tokenCommands(name, window.location.origin)

  function close() {
    issued.value = null
    onClose()
  }

  async function submit(event: Event) {
    event.preventDefault()
    const ttl = String(new FormData(event.currentTarget as HTMLFormElement).get('ttl') ?? '90d')
    const result = await form.submit(() => clients.issueToken(name, ttl))
    if (result.ok) issued.value = result.value
  }

  const token = issued.value
  return (
    <Drawer
      title={token ? 'Token issued' : 'Issue a token'}
      subtitle={<code>{name}</code>}
      onClose={close}
      fallbackFocus={fallbackFocus}
      footer={
        token ? (
          <Button variant="primary" onClick={close}>
            Done, I saved it
          </Button>
        ) : (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" form={formId} variant="primary" busy={form.busy.value} busyLabel="Issuing…">
              Issue token
            </Button>
          </>
        )
      }
    >
      {token ? (
        <div class="token-box">
          <Banner tone="warning">This is the only time the token is shown. Save it now; the server keeps only its hash.</Banner>
          <p>
            Token <code>{token.id}</code>, expires <time dateTime={token.expires_at}>{token.expires_at.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')}</time>:
          </p>
          <code class="token-value" data-token-value tabIndex={0} aria-label="The token">
            {token.token}
          </code>
          <div class="client-actions">
            <CopyButton text={() => issued.value?.token ?? ''} label="Copy token" />
          </div>
          <p>Save it to a file only the client's user can read, on the machine the client runs on:</p>
          <pre class="token-value">{commands.save}</pre>
          <p>Then render through this server with it (no master key, no database there):</p>
          <pre class="token-value" data-command>{commands.render}</pre>
          <div class="client-actions">
            <CopyButton text={() => commands.render} label="Copy command" />
          </div>
        </div>
      ) : (
        <form id={formId} class="form" onSubmit={(e) => void submit(e)}>
          {form.banner.value ? <Banner tone="error">{form.banner}</Banner> : null}
          <p>
            The client reads the secrets its grants cover with this token. Tokens are revocable one by one; a new token does not
            end the older ones.
          </p>
          <Field label="Expires after" error={form.errors.value.ttl}>
            {(control) => (
              <select {...control} class="input" name="ttl" value="90d" data-autofocus>
                {TTLS.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </form>
      )}
    </Drawer>
  )
}
