/**
 * Starting the command of `secrets run` and waiting for it: its output
 * through a Masker each (or inherited, unmasked), the caller's SIGINT,
 * SIGTERM and SIGHUP passed on, and its status returned the way a shell
 * reports it (the exit code; 128 + N when a signal N ended it).
 *
 * Under Bun through Bun.spawn, under Node through node:child_process:
 * loading node:child_process and its streams cost about 8 ms of a `secrets
 * run`'s start-up on Bun (a script spawning /bin/true with piped output: 18
 * against 10 ms, an empty script 6 ms; medians of 20).
 */
import { existsSync } from 'node:fs'
import { constants } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { RUNTIME } from '../../runtime.ts'
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

/** Copies a child's stream through a masker to descriptor `fd` (Node's streams); on EPIPE stops reading, so the child sees its reader gone. */
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

/** Copies a child's output through a masker to descriptor `fd` (Bun's streams); on EPIPE stops reading, so the child sees its reader gone. */
async function maskStreamInto(stream: ReadableStream<Uint8Array>, fd: number, masker: Masker): Promise<void> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      const out = masker.push(value)
      if (out.length > 0) writeAll(fd, out)
    }
    const rest = masker.flush()
    if (rest.length > 0) writeAll(fd, rest)
  } catch {
    await reader.cancel().catch(() => {})
  }
}

/** Passes SIGINT, SIGTERM and SIGHUP on through `kill` until the returned function is called. */
function forwardSignals(kill: (signal: (typeof FORWARDED)[number]) => void): () => void {
  const handlers = FORWARDED.map((signal) => {
    const handler = () => kill(signal)
    process.on(signal, handler)
    return [signal, handler] as const
  })
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
  }
}

/** The message and status of a command that could not be started. */
function notStarted(options: ChildOptions, e: NodeJS.ErrnoException): number {
  options.say(`secrets run: cannot start ${options.command}: ${e.code ?? e.message}\n`)
  return e.code === 'ENOENT' ? NOT_FOUND : NOT_EXECUTABLE
}

/** Runs the command to its end; returns its exit status. */
export function runChild(options: ChildOptions): Promise<number> {
  return RUNTIME === 'bun' ? runWithBun(options) : runWithNode(options)
}

/** runChild through Bun.spawn. The command is looked up in the child's PATH, as Node's spawn does ({@link lookUp}), and keeps its own name as argv[0]. */
async function runWithBun(options: ChildOptions): Promise<number> {
  const masked = options.conceal !== null
  let proc: ReturnType<typeof Bun.spawn>
  try {
    const path = options.command.includes('/') ? options.command : lookUp(options.command, options.env.PATH ?? '')
    proc = Bun.spawn({
      cmd: [path, ...options.args],
      argv0: options.command,
      env: options.env,
      stdin: 'inherit',
      stdout: masked ? 'pipe' : 'inherit',
      stderr: masked ? 'pipe' : 'inherit',
    })
  } catch (e) {
    return notStarted(options, e as NodeJS.ErrnoException)
  }
  const stop = forwardSignals((signal) => proc.kill(signal))
  try {
    const copies = masked
      ? [
          maskStreamInto(proc.stdout as ReadableStream<Uint8Array>, 1, new Masker(options.conceal!)),
          maskStreamInto(proc.stderr as ReadableStream<Uint8Array>, 2, new Masker(options.conceal!)),
        ]
      : []
    await proc.exited
    await Promise.all(copies)
  } finally {
    stop()
  }
  const signal = proc.signalCode
  if (signal === null || signal === undefined) return proc.exitCode ?? 1
  return 128 + (typeof signal === 'number' ? signal : (constants.signals[signal] ?? 0))
}

/**
 * The executable `command` names in `path`, as execvp(3) finds it (what
 * Node's spawn reports): the first executable match; else EACCES when a
 * match exists that may not be executed, ENOENT when none does.
 * @throws an Error with that code.
 */
function lookUp(command: string, path: string): string {
  const found = Bun.which(command, { PATH: path })
  if (found !== null) return found
  const present = path.split(':').some((dir) => existsSync(join(dir === '' ? '.' : dir, command)))
  throw Object.assign(new Error(present ? 'permission denied' : 'not found'), { code: present ? 'EACCES' : 'ENOENT' })
}

/** runChild through node:child_process (imported here: Bun never loads it). */
async function runWithNode(options: ChildOptions): Promise<number> {
  const { spawn } = await import('node:child_process')
  const masked = options.conceal !== null
  const child = spawn(options.command, options.args, {
    env: options.env,
    stdio: masked ? ['inherit', 'pipe', 'pipe'] : 'inherit',
  })
  const stop = forwardSignals((signal) => child.kill(signal))
  const copies = masked
    ? [maskInto(child.stdout!, 1, new Masker(options.conceal!)), maskInto(child.stderr!, 2, new Masker(options.conceal!))]
    : []
  return new Promise<number>((resolve) => {
    const done = (status: number) => {
      stop()
      resolve(status)
    }
    child.once('error', (e: NodeJS.ErrnoException) => {
      // Only a failure to start: no 'exit' follows it.
      if (child.pid !== undefined) return
      done(notStarted(options, e))
    })
    child.once('exit', (code, signal) => {
      void Promise.all(copies).then(() => {
        if (signal) done(128 + (constants.signals[signal] ?? 0))
        else done(code ?? 1)
      })
    })
  })
}
