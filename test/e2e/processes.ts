/**
 * Child processes for the end-to-end suites: the real `bin/secrets serve`
 * (or `npm run demo`), whose URL is read from what it prints, with its
 * output drained for as long as it runs so a full pipe never blocks it.
 */
import type { Subprocess } from 'bun'
import { join } from 'node:path'
import { TEST_TIMEOUT_MS } from '../helpers/depth.ts'

export const ROOT = join(import.meta.dir, '..', '..')
export const BIN = join(ROOT, 'bin', 'secrets')

/** A running child whose stdout and stderr are collected as text. */
export interface RunningChild {
  proc: Subprocess<'pipe' | 'ignore', 'pipe', 'pipe'>
  /** everything printed so far, both streams interleaved in arrival order */
  output(): string
  /** resolves with the first match of `pattern` in the output; rejects if the child exits first or after `ms` */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>
  /** SIGTERM (once), then the exit code; SIGKILL after `ms` if it does not stop */
  stop(ms?: number): Promise<number>
}

/** The environment a child gets: PATH and HOME, plus `env`. Nothing else leaks in from the test runner. */
export function childEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' }
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return out
}

/** Spawns `cmd` and starts draining its output at once. */
export function startChild(cmd: string[], options: { env: Record<string, string | undefined>; cwd?: string; stdin?: string }): RunningChild {
  const proc = Bun.spawn(cmd, {
    env: childEnv(options.env),
    cwd: options.cwd ?? ROOT,
    stdin: options.stdin === undefined ? 'ignore' : new Blob([options.stdin]),
    stdout: 'pipe',
    stderr: 'pipe',
  }) as RunningChild['proc']
  let text = ''
  const listeners = new Set<() => void>()
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    const reader = stream.getReader()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
      for (const wake of listeners) wake()
    }
  }
  const drained = Promise.all([drain(proc.stdout), drain(proc.stderr)]).catch(() => {})
  let exited = false
  void proc.exited.then(() => {
    exited = true
    void drained.then(() => {
      for (const wake of listeners) wake()
    })
  })

  let stopping: Promise<number> | undefined
  return {
    proc,
    output: () => text,
    waitFor(pattern, ms = TEST_TIMEOUT_MS) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`timed out after ${ms} ms waiting for ${pattern}; output so far:\n${text}`)), ms)
        const check = () => {
          const match = pattern.exec(text)
          if (match) return finish(null, match)
          if (exited) void drained.then(() => (pattern.exec(text) ? check() : finish(new Error(`exited (${proc.exitCode}) before ${pattern}; output:\n${text}`))))
        }
        function finish(error: Error | null, match?: RegExpExecArray) {
          clearTimeout(timer)
          listeners.delete(check)
          if (error) reject(error)
          else resolve(match!)
        }
        listeners.add(check)
        check()
      })
    },
    stop(ms = 10_000) {
      stopping ??= (async () => {
        if (!exited) proc.kill('SIGTERM')
        const timer = setTimeout(() => proc.kill('SIGKILL'), ms)
        const code = await proc.exited
        clearTimeout(timer)
        await drained
        return code
      })()
      return stopping
    },
  }
}

/** Runs `bin/secrets ARGV` to completion. */
export async function runSecrets(
  argv: string[],
  options: { env: Record<string, string | undefined>; stdin?: string; cwd?: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([BIN, ...argv], {
    env: childEnv(options.env),
    cwd: options.cwd ?? ROOT,
    stdin: options.stdin === undefined ? 'ignore' : new Blob([options.stdin]),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, stdout, stderr }
}

/** A random lowercase hex string of `bytes` bytes. */
export function randomHex(bytes = 8): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('')
}
