/**
 * The input of a render as both passes see it: opened once, spooled when it
 * cannot be read twice, stamped so a change between the passes is noticed,
 * and read again to find the line and column of an error.
 */
import { closeSync, fstatSync } from 'node:fs'
import { countNewlines, type Locate } from '../../render/position.ts'
import { inputChangedError } from '../../render/record.ts'
import type { FileIdentity } from './destination.ts'
import { openInput, readFull, STDIN } from './fd.ts'
import { openSpool } from './spool.ts'

/** The input as pass 1 and pass 2 see it. */
export interface Source {
  /** Descriptor pass 1 reads from (sequentially). */
  readonly fd: number
  /** Descriptor pass 2 reads from, at explicit positions. */
  replayFd: number
  /**
   * Position of the first input byte in `replayFd`, or -1 until known (stdin
   * redirected from a file may start past the file's beginning).
   */
  replayStart: number
  /** Descriptor pass 1 copies the input to, or -1 when the input can be read again (it may move: spool.ts spoolAppend). */
  spoolFd: number
  /** Input bytes read by pass 1. */
  length: number
  /** Device and inode when the input is a regular file (read twice), else null. */
  readonly file: FileIdentity | null
  /** A regular file's size when it was opened (it may still change: reads go to end of file), else -1. */
  readonly size: number
  /**
   * Set while a spool write runs in the background (passes.ts): writes it
   * now, so the spool holds every byte pass 1 has seen before an error's
   * position is counted in it.
   */
  flushSpool?: () => void
  /** Throws when a regular input file's size or times differ from before pass 1 (a spool cannot change). */
  checkUnchanged(): void
  close(): void
}

/** Opens IN (a path, or stdin for null); a spool is opened when it is not a regular file. */
export function openSource(path: string | null): Source {
  const fd = path === null ? STDIN : openInput(path)
  let spoolFd = -1
  let file: FileIdentity | null = null
  let size = -1
  try {
    const st = fstatSync(fd)
    if (st.isFile()) {
      file = { dev: st.dev, ino: st.ino }
      size = st.size
    } else spoolFd = openSpool()
  } catch (err) {
    if (path !== null) closeSync(fd)
    throw err
  }
  const stamp = spoolFd >= 0 ? '' : fileStamp(fd)
  const spooled = spoolFd >= 0
  return {
    fd,
    checkUnchanged() {
      if (!spooled && fileStamp(fd) !== stamp) throw inputChangedError()
    },
    replayFd: spooled ? spoolFd : fd,
    replayStart: spooled || path !== null ? 0 : -1,
    spoolFd,
    length: 0,
    file,
    size,
    close() {
      if (this.spoolFd >= 0) closeSync(this.spoolFd)
      if (path !== null) closeSync(fd)
    },
  }
}

/** Size, modification and change times of an open file, to notice a change between the passes. */
function fileStamp(fd: number): string {
  const st = fstatSync(fd, { bigint: true })
  return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`
}

/**
 * Where the input began in a regular file read sequentially from its
 * descriptor's offset (stdin may be a file that something read part of
 * already): the input is the last `consumed + rest` bytes of the file, where
 * `rest` is what is still unread (drained here; nothing after pass 1).
 */
export function startOfRest(fd: number, consumed: number): number {
  let rest = 0
  const scratch = new Uint8Array(1 << 16)
  for (let n = readFull(fd, scratch, null); n > 0; n = readFull(fd, scratch, null)) rest += n
  const start = fstatSync(fd).size - consumed - rest
  if (start < 0) throw new Error('the input changed while it was being rendered')
  return start
}

/** Position of an input offset, counted by reading the input again (only on an error). */
export function locateInSource(source: Source, offset: number): ReturnType<Locate> {
  // An error in pass 1 on stdin-from-a-file: find where the input began by
  // reading the rest (the render is failing anyway).
  if (source.replayStart < 0) source.replayStart = startOfRest(source.fd, source.length)
  source.flushSpool?.()
  const buf = new Uint8Array(1 << 16)
  let lines = 0
  let lastNewline = -1
  let done = 0
  while (done < offset) {
    const want = Math.min(buf.length, offset - done)
    const n = readFull(source.replayFd, buf.subarray(0, want), source.replayStart + done)
    if (n === 0) break
    const { count, last } = countNewlines(buf, 0, n)
    lines += count
    if (last >= 0) lastNewline = done + last
    done += n
  }
  return { line: lines + 1, column: offset - lastNewline }
}
