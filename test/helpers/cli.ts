import { join } from 'node:path'
import type { CliIO } from '../../src/cli/io.ts'
import { main } from '../../src/cli/main.ts'

/** Runs `secrets ARGV` in-process with captured output and the given stdin. */
export async function runCli(
  argv: string[],
  options: { env: Record<string, string | undefined>; stdin?: string | Uint8Array; tty?: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const input = typeof options.stdin === 'string' ? new TextEncoder().encode(options.stdin) : (options.stdin ?? new Uint8Array())
  const io: CliIO = {
    env: options.env,
    stdout: (t) => {
      stdout += t
    },
    stderr: (t) => {
      stderr += t
    },
    readStdin: async (limit) => {
      if (input.length > limit) {
        const { InputTooLargeError } = await import('../../src/cli/io.ts')
        throw new InputTooLargeError('too long')
      }
      return input.slice()
    },
    readHidden: async (prompt) => {
      stderr += prompt
      return options.tty
    },
    stdinIsTTY: options.tty !== undefined,
    stderrIsTTY: false,
  }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}

/** Path of the real executable. */
export const BIN = join(import.meta.dir, '..', '..', 'bin', 'secrets')

/** Runs the real `bin/secrets` as a child process. */
export async function runBin(
  argv: string[],
  options: { env: Record<string, string | undefined>; stdin?: string | Uint8Array; cwd?: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' }
  for (const [k, v] of Object.entries(options.env)) if (v !== undefined) env[k] = v
  const proc = Bun.spawn([BIN, ...argv], {
    env,
    cwd: options.cwd,
    stdin: options.stdin === undefined ? 'ignore' : new Blob([options.stdin as BlobPart]),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, stdout, stderr }
}
