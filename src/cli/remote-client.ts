/**
 * The CLI's side of the delivery routes (docs/clients.md): one request to
 * the server with the client token, and the server's refusals turned back
 * into the errors a local command throws, so exit codes and messages match
 * (3 for missing or malformed, 1 for not granted or a refused token).
 */
import { NotGrantedError } from '../clients/client-errors.ts'
import { MalformedPlaceholderError, MissingSecretError } from '../errors.ts'
import type { ClientModeSettings } from './client-mode.ts'

/** A server answer that is not one of the errors with an exit code of their own (exit 1). */
export class RemoteRenderError extends Error {}

/**
 * POSTs to the server with `Authorization: Bearer` (the token goes nowhere
 * else) and no redirects.
 * @throws RemoteRenderError when the server cannot be reached (the message
 *   names the URL and the errno, never a header).
 */
export async function postToServer(
  settings: ClientModeSettings,
  path: string,
  init: { headers: Record<string, string>; body: BodyInit; fetch?: typeof fetch },
): Promise<Response> {
  const doFetch = init.fetch ?? fetch
  try {
    return await doFetch(`${settings.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${settings.token}`, ...init.headers },
      body: init.body,
      redirect: 'error',
    })
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message
    throw new RemoteRenderError(`cannot reach ${settings.url} (${cause})`)
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; names?: string[]; line?: number; column?: number }
}

/** The error a refusal of the server stands for (names and positions from the server, never values). */
export async function serverRefusal(res: Response, url: string): Promise<Error> {
  let body: ErrorBody = {}
  try {
    body = (await res.json()) as ErrorBody
  } catch {
    // Not our JSON (a proxy's page): the status says enough.
  }
  const e = body.error ?? {}
  const names = Array.isArray(e.names) ? e.names.filter((n): n is string => typeof n === 'string') : []
  if (e.code === 'missing_secret' && names.length > 0) return new MissingSecretError(names)
  if (e.code === 'malformed_placeholder' && typeof e.line === 'number' && typeof e.column === 'number') {
    const detail = /column \d+: (.*)$/.exec(e.message ?? '')?.[1] ?? 'malformed placeholder'
    return new MalformedPlaceholderError(e.line, e.column, detail)
  }
  if (e.code === 'not_granted' && names.length > 0) {
    const client = /^client (\S+) /.exec(e.message ?? '')?.[1] ?? 'this client'
    return new NotGrantedError(client, names)
  }
  const what = typeof e.message === 'string' ? `${e.code ?? 'error'}: ${e.message}` : res.statusText || 'no details'
  if (res.status === 401) return new RemoteRenderError(`${url} refused the token (401 ${what}); ask an operator for a new one`)
  return new RemoteRenderError(`${url} answered ${res.status} (${what})`)
}


const encoder = new TextEncoder()

/**
 * A ResolveAll over the server's `POST /resolve`: every name granted and
 * existing, or the error a local resolve would throw (MissingSecretError),
 * NotGrantedError, RemoteRenderError. The server audits each secret.
 */
export function remoteResolveAll(settings: ClientModeSettings, reason: string, fetchImpl?: typeof fetch) {
  return async function resolveAll(names: string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>()
    if (names.length === 0) return out
    const res = await postToServer(settings, '/resolve', {
      headers: { 'X-Secrets-Reason': reason, 'Content-Type': 'application/json' },
      body: JSON.stringify({ names: [...new Set(names)] }),
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    })
    if (res.status !== 200) throw await serverRefusal(res, settings.url)
    let body: { values?: Record<string, unknown> }
    try {
      body = (await res.json()) as { values?: Record<string, unknown> }
    } catch {
      throw new RemoteRenderError(`the answer of ${settings.url} was not the JSON of /resolve`)
    }
    for (const name of names) {
      const value = body.values?.[name]
      if (typeof value !== 'string') throw new RemoteRenderError(`the answer of ${settings.url} lacks ${name}`)
      out.set(name, encoder.encode(value))
    }
    return out
  }
}
