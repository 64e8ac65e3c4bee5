import { readSome, STDIN, STDOUT, writeAll } from './render/fd.ts'
import { writingTo } from './output-error.ts'
import { stdoutIsTerminal } from './terminal.ts'

/** What a command may touch of its process: streams, environment, terminal. Tests pass their own. */
export interface CliIO {
  env: Readonly<Record<string, string | undefined>>
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Reads standard input to its end, refusing more than `limit` bytes. */
  readStdin: (limit: number) => Promise<Uint8Array>
  /** Reads one line from the terminal without echoing it; undefined when stdin is not a terminal. */
  readHidden?: (prompt: string) => Promise<string | undefined>
  stdinIsTTY: boolean
  stderrIsTTY: boolean
  /** Whether standard output is a terminal (`secrets get` refuses one without --reveal); absent: not. */
  stdoutIsTTY?: boolean
  /** Writes bytes to standard output as they are (values need not be UTF-8); absent: `stdout` of their UTF-8 decoding. */
  stdoutBytes?: (bytes: Uint8Array) => void
}

/** Thrown by readStdin when the input is longer than the limit. */
export class InputTooLargeError extends Error {}

function readAllStdin(limit: number): Uint8Array {
  const chunks: Uint8Array[] = []
  let total = 0
  const buf = new Uint8Array(65_536)
  for (;;) {
    // Waits (rather than spinning) while a non-blocking stdin has nothing ready.
    const n = readSome(STDIN, buf, 0, buf.length, null)
    if (n === 0) break
    total += n
    if (total > limit) throw new InputTooLargeError(`standard input is longer than ${limit} bytes`)
    chunks.push(buf.slice(0, n))
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

/**
 * Reads a line from the terminal with echo off (raw mode), so a value typed
 * at the prompt is neither shown nor left in the shell history.
 */
function readHiddenLine(prompt: string): Promise<string | undefined> {
  const stdin = process.stdin
  if (!stdin.isTTY) return Promise.resolve(undefined)
  process.stderr.write(prompt)
  return new Promise((resolve, reject) => {
    let line = ''
    const done = (value: string | undefined, error?: Error) => {
      stdin.setRawMode(false)
      stdin.pause()
      stdin.off('data', onData)
      process.stderr.write('\n')
      if (error) reject(error)
      else resolve(value)
    }
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(line)
        if (ch === '\u0003') return done(undefined, new Error('interrupted'))
        if (ch === '\u0004') return done(line)
        if (ch === '\u007f' || ch === '\b') line = [...line].slice(0, -1).join('')
        else line += ch
      }
    }
    stdin.setRawMode(true)
    stdin.resume()
    stdin.on('data', onData)
  })
}

/**
 * The real process's IO. The terminal checks are getters: touching
 * `process.stdin` (or stdout, stderr) builds its Node stream, which loads
 * node:stream and costs several milliseconds of start-up that a render,
 * which uses none of them, need not pay.
 */
export function processIO(): CliIO {
  const encoder = new TextEncoder()
  return {
    env: process.env,
    // Written at once, so a full disk or a closed pipe fails the command that wrote (output-error.ts).
    stdout: (t) => writingTo('standard output', () => writeAll(STDOUT, encoder.encode(t)), { textOutput: true }),
    stderr: (t) => process.stderr.write(t),
    readStdin: async (limit) => readAllStdin(limit),
    readHidden: readHiddenLine,
    get stdinIsTTY() {
      return Boolean(process.stdin.isTTY)
    },
    get stderrIsTTY() {
      return Boolean(process.stderr.isTTY)
    },
    get stdoutIsTTY() {
      return stdoutIsTerminal()
    },
    stdoutBytes: (b) => writingTo('standard output', () => writeAll(STDOUT, b)),
  }
}
