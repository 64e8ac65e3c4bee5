/**
 * Starting the command of `secrets run` and waiting for it: its output
 * through a Masker each (or inherited, unmasked), the caller's SIGINT,
 * SIGTERM and SIGHUP passed on, and its status returned the way a shell
 * reports it (the exit code; 128 + N when a signal N ended it).
 */
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import type { Readable } from 'node:stream'
import { writeAll } from '../render/fd.ts'
import { Masker } from './masker.ts'

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/** A shell's codes for a command that could not be started. */
const NOT_FOUND = 127
const NOT_EXECUTABLE = 126

export interface ChildOptions {
  command: string
  args: string[]
  env: Record<string, string>
  /** The values to conceal in its stdout and stderr; null: no masking, stdio inherited. */
  conceal: Uint8Array[] | null
  /** Where a failure to start is reported. */
  say: (text: string) => void
}

/** Copies a child's stream through a masker to descriptor `fd`; on EPIPE stops reading, so the child sees its reader gone. */
function maskInto(stream: Readable, fd: number, masker: Masker): Promise<void> {
  return new Promise((resolve) => {
    let broken = false
    const write = (bytes: Uint8Array) => {
      if (broken || bytes.length === 0) return
      try {
        writeAll(fd, bytes)
      } catch {
        broken = true
        stream.destroy()
        resolve()
      }
    }
    stream.on('data', (chunk: Uint8Array) => write(masker.push(chunk)))
    stream.on('end', () => {
      write(masker.flush())
      resolve()
    })
    stream.on('error', () => resolve())
    stream.on('close', () => resolve())
  })
}

/** Runs the command to its end; returns its exit status. */
export function runChild(options: ChildOptions): Promise<number> {
  const masked = options.conceal !== null
  const child = spawn(options.command, options.args, {
    env: options.env,
    stdio: masked ? ['inherit', 'pipe', 'pipe'] : 'inherit',
  })
  const handlers = FORWARDED.map((signal) => {
    const handler = () => {
      child.kill(signal)
    }
    process.on(signal, handler)
    return [signal, handler] as const
  })
  const copies = masked
    ? [maskInto(child.stdout!, 1, new Masker(options.conceal!)), maskInto(child.stderr!, 2, new Masker(options.conceal!))]
    : []
  return new Promise<number>((resolve) => {
    const done = (status: number) => {
      for (const [signal, handler] of handlers) process.off(signal, handler)
      resolve(status)
    }
    child.once('error', (e: NodeJS.ErrnoException) => {
      // Only a failure to start: no 'exit' follows it.
      if (child.pid !== undefined) return
      options.say(`secrets run: cannot start ${options.command}: ${e.code ?? e.message}\n`)
      done(e.code === 'ENOENT' ? NOT_FOUND : NOT_EXECUTABLE)
    })
    child.once('exit', (code, signal) => {
      void Promise.all(copies).then(() => {
        if (signal) done(128 + (constants.signals[signal] ?? 0))
        else done(code ?? 1)
      })
    })
  })
}
