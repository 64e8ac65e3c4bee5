/**
 * Synchronous descriptor I/O for the CLI edge: whole reads and writes over
 * `readSync`/`writeSync` that wait (briefly, without spinning) when a
 * descriptor is non-blocking and not ready. Synchronous on purpose: it beat
 * the runtimes' streams by 1.3-3.4x on Bun and Node when measured for this project.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs'
import { fileProblem } from '../file-problem.ts'

/** Standard input's descriptor. */
export const STDIN = 0
/** Standard output's descriptor. */
export const STDOUT = 1

/** Blocks the thread for about a millisecond; only when a descriptor is non-blocking and not ready. */
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1)
}

function errorCode(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code
}

/**
 * One read of at most `length` bytes into `buf` at `offset`, waiting while
 * the descriptor has nothing ready (EAGAIN). Returns 0 at the end of the
 * input (also when the runtime reports it as an `EOF` error). `position`
 * null reads from the descriptor's offset.
 */
export function readSome(fd: number, buf: Uint8Array, offset: number, length: number, position: number | null): number {
  for (;;) {
    try {
      return readSync(fd, buf, offset, length, position)
    } catch (err) {
      const code = errorCode(err)
      if (code === 'EAGAIN') {
        pause()
        continue
      }
      if (code === 'EOF') return 0
      throw err
    }
  }
}

/**
 * Reads until `buf` is full or the input ends (pipes return at most a pipe
 * buffer per read). `position` null reads from the descriptor's offset.
 * Returns the bytes read.
 */
export function readFull(fd: number, buf: Uint8Array, position: number | null): number {
  let got = 0
  while (got < buf.length) {
    const n = readSome(fd, buf, got, buf.length - got, position === null ? null : position + got)
    if (n === 0) break
    got += n
  }
  return got
}

/** Writes all of `bytes`, waiting while a non-blocking descriptor is full (EAGAIN). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off)
    } catch (err) {
      if (errorCode(err) !== 'EAGAIN') throw err
      pause()
    }
  }
}

/** Writes all of `bytes` at `position` (a regular file; the descriptor's offset is left alone). */
export function writeAllAt(fd: number, bytes: Uint8Array, position: number): void {
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off, position + off)
}

/**
 * Opens IN for reading, or refuses it by name: missing, not readable, a
 * directory. The error keeps the system's code.
 */
export function openInput(path: string): number {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    const code = (err as { code?: unknown }).code
    throw Object.assign(new Error(`cannot read IN ${path}: ${fileProblem(code)}`), { code })
  }
  let directory = false
  try {
    directory = fstatSync(fd).isDirectory()
  } catch {
    // The read will say what is wrong.
  }
  if (directory) {
    closeSync(fd)
    throw Object.assign(new Error(`IN ${path} is a directory`), { code: 'EISDIR' })
  }
  return fd
}
