import type { Subprocess } from 'bun'

/** A `secrets serve` child process, listening. */
export interface ServeProcess {
  /** `http://127.0.0.1:PORT` */
  base: string
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  /** Everything the server wrote on stderr so far (it keeps being drained, so the pipe never fills). */
  stderr(): string
  /** Everything it wrote on stdout so far: its log, JSON lines (stdout is a pipe). Drained the same way. */
  stdout(): string
  /** SIGTERM, then the exit code. */
  stop(): Promise<number>
}

/**
 * Starts `cmd` (e.g. `[BIN, 'serve', '--port', '0']`) with `env` and waits for
 * its "listening on URL" line.
 * @throws Error with the output when the process exits first.
 */
export async function startServe(cmd: string[], env: Record<string, string>): Promise<ServeProcess> {
  const proc = Bun.spawn(cmd, { env: { PATH: process.env.PATH!, ...env }, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  let out = ''
  void (async () => {
    const outDecoder = new TextDecoder()
    const outReader = proc.stdout.getReader()
    for (;;) {
      const { value, done } = await outReader.read()
      if (done) return
      out += outDecoder.decode(value, { stream: true })
    }
  })()
  const reader = proc.stderr.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let match: RegExpExecArray | null = null
  while (!(match = /listening on (http:\/\/\S+) /.exec(text))) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`server exited before listening: ${text}`)
    text += decoder.decode(value, { stream: true })
  }
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      text += decoder.decode(value, { stream: true })
    }
  })()
  return {
    base: match[1]!,
    proc,
    stderr: () => text,
    stdout: () => out,
    stop: async () => {
      proc.kill('SIGTERM')
      return proc.exited
    },
  }
}

/** Logs in over HTTP; returns the cookie header value and the CSRF token. */
export async function login(base: string, username: string, password: string): Promise<{ cookie: string; csrf: string; status: number }> {
  const res = await fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (res.status !== 200) return { cookie: '', csrf: '', status: res.status }
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!
  const { csrf_token } = (await res.json()) as { csrf_token: string }
  return { cookie, csrf: csrf_token, status: 200 }
}
