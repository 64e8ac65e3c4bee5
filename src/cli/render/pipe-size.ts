/**
 * A larger pipe buffer for a render's output and input.
 *
 * Output: with the default 64 KiB, each 256 KiB write of pass 2 waits until
 * the reader has taken three quarters of it, so the render and the reader
 * take turns; with 1 MiB the render goes on replaying while the reader
 * copies out. Measured on a 256 MiB sparse render piped to `cat` (in
 * process, medians of 7): 817 to 650 ms wall, 503 to 462 ms at best.
 *
 * Input (passes.ts, once the first 1 MiB came in): with 64 KiB,
 * every read wakes the writer for the next 64 KiB, and those wake-ups were
 * the largest item of pass 1's system time (`perf`). `cat IN | secrets render
 * | cat` on the 256 MiB sparse corpus, 12 alternated runs against the tree
 * without it, twice: medians 0.448 against 0.596 s and 0.448 against 0.622 s
 * (docs/benchmarks.md). An earlier round measured it slower (979 against 817
 * ms in process, and 495 against 330 ms for a bare read-and-spool loop);
 * that did not reproduce: a bare read loop of the pipe took 125-171 ms with
 * the wider pipe against 294-521 ms without, three runs each.
 *
 * Node has no fcntl; Bun reaches it through bun:ffi (about 1 ms to load, so
 * only where it can pay: {@link WIDEN_FROM} for an output, 1 MiB read for an
 * input). Anything that fails (Node, no libc.so.6, a limit: EPERM,
 * EBUSY) leaves the pipe as it was.
 */
import { fstatSync } from 'node:fs'
import { RUNTIME } from '../../runtime.ts'

/** Inputs shorter than this (4 MiB) keep the default pipe: loading bun:ffi would cost more than it saves. */
export const WIDEN_FROM = 4 << 20

/** The pipe buffer asked for: 1 MiB, the default /proc/sys/fs/pipe-max-size, so any user may. */
export const WIDE_PIPE = 1 << 20

/** F_SETPIPE_SZ and F_GETPIPE_SZ (linux/fcntl.h). */
const F_SETPIPE_SZ = 1031
const F_GETPIPE_SZ = 1032

type Fcntl = (fd: number, cmd: number, arg: number) => number

/** fcntl(2) through bun:ffi, or null where that is not available. */
async function loadFcntl(): Promise<{ fcntl: Fcntl; close: () => void } | null> {
  if (process.platform !== 'linux' || RUNTIME !== 'bun') return null
  try {
    // A specifier in a variable: bundlers for Node leave it alone.
    const specifier = 'bun:ffi'
    const ffi = (await import(specifier)) as typeof import('bun:ffi')
    const lib = ffi.dlopen('libc.so.6', { fcntl: { args: [ffi.FFIType.i32, ffi.FFIType.i32, ffi.FFIType.i32], returns: ffi.FFIType.i32 } })
    return { fcntl: (fd, cmd, arg) => lib.symbols.fcntl(fd, cmd, arg), close: () => lib.close() }
  } catch {
    return null
  }
}

/**
 * Asks for a pipe buffer of `bytes` on `fd` when it is a pipe; returns the
 * buffer size it has afterwards, or null when it is not a pipe or the size
 * cannot be asked for here.
 */
export async function widenPipe(fd: number, bytes: number = WIDE_PIPE): Promise<number | null> {
  try {
    if (!fstatSync(fd).isFIFO()) return null
  } catch {
    return null
  }
  const lib = await loadFcntl()
  if (lib === null) return null
  try {
    if (lib.fcntl(fd, F_GETPIPE_SZ, 0) < bytes) lib.fcntl(fd, F_SETPIPE_SZ, bytes)
    const size = lib.fcntl(fd, F_GETPIPE_SZ, 0)
    return size >= 0 ? size : null
  } finally {
    lib.close()
  }
}
