/**
 * `secrets render` in client mode: the artifact goes to the server's
 * `POST /render` and the answer to OUT, with the promises of a local render
 * (docs/clients.md): OUT is checked before anything is sent, written to a
 * temporary file beside it and renamed into place only once the whole answer
 * arrived; a refusal writes nothing. No master key, no database.
 */
import { closeSync, fstatSync } from 'node:fs'
import type { ClientModeSettings } from '../client-mode.ts'
import { postToServer, RemoteRenderError, serverRefusal } from '../remote-client.ts'
import { type FileIdentity, openDestination } from './destination.ts'
import { openInput, readFull, STDIN } from './fd.ts'
import type { RenderFormat } from '../../render/scanner.ts'

/** Options of {@link renderRemote}. */
export interface RemoteRenderOptions {
  settings: ClientModeSettings
  /** Path of the input, or null for stdin. */
  input: string | null
  /** Path of the output, or null for stdout. */
  output: string | null
  reason: string
  /** `json` or `raw` (the CLI's --format); sent as `?format=`. */
  format?: RenderFormat
  /** For tests: the fetch to use. */
  fetch?: typeof fetch
}

export { RemoteRenderError } from '../remote-client.ts'

/** Read size for a pipe or a terminal, and the most a regular file's first read asks for. */
const CHUNK = 1 << 20

function readInput(path: string | null): { bytes: Uint8Array<ArrayBuffer>; file: FileIdentity | null } {
  const fd = path === null ? STDIN : openInput(path)
  try {
    const st = fstatSync(fd)
    const chunks: Uint8Array<ArrayBuffer>[] = []
    let total = 0
    // A regular file's first read is sized by the file (one byte more, to see its end in
    // one read): a 4 KiB artifact need not fault in and zero a whole chunk.
    let size = st.isFile() ? Math.min(st.size + 1, CHUNK) : CHUNK
    for (;;) {
      const buf = new Uint8Array(size)
      size = CHUNK
      const n = readFull(fd, buf, null)
      if (n === 0) break
      chunks.push(buf.subarray(0, n))
      total += n
      if (n < buf.length) break
    }
    let bytes = chunks.length === 1 ? chunks[0]! : new Uint8Array(total)
    if (chunks.length > 1) {
      let at = 0
      for (const c of chunks) {
        bytes.set(c, at)
        at += c.length
      }
    }
    return { bytes, file: st.isFile() ? { dev: st.dev, ino: st.ino } : null }
  } finally {
    if (path !== null) closeSync(fd)
  }
}

/**
 * Renders IN (path or stdin) to OUT (path or stdout) through the server.
 * @throws MissingSecretError / MalformedPlaceholderError (exit 3),
 *   NotGrantedError, RemoteRenderError (exit 1); OUT's own refusals
 *   (destination.ts) before anything is sent. OUT is left as it was on any
 *   error.
 */
export async function renderRemote(options: RemoteRenderOptions): Promise<{ bytesOut: number }> {
  const { settings } = options
  const doFetch = options.fetch ?? fetch
  const { bytes, file } = readInput(options.input)
  const dest = openDestination(options.output, file)
  let bytesOut = 0
  try {
    const res = await postToServer(settings, `/render?format=${options.format ?? 'raw'}`, {
      headers: { 'X-Secrets-Reason': options.reason, 'Content-Type': 'application/octet-stream' },
      body: bytes,
      fetch: doFetch,
    })
    if (res.status !== 200) throw await serverRefusal(res, settings.url)
    const expected = res.headers.get('Content-Length')
    if (res.body) {
      const reader = res.body.getReader()
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>
        try {
          chunk = await reader.read()
        } catch {
          throw new RemoteRenderError(`the answer of ${settings.url} was cut short; nothing was written`)
        }
        if (chunk.done) break
        dest.write(chunk.value)
        bytesOut += chunk.value.length
      }
    }
    if (expected !== null && Number(expected) !== bytesOut) {
      throw new RemoteRenderError(`the answer of ${settings.url} was cut short; nothing was written`)
    }
    await dest.settle()
    dest.commit()
    return { bytesOut }
  } catch (e) {
    await dest.settle()
    dest.abort()
    throw e
  }
}
