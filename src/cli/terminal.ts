/**
 * Whether a descriptor is a terminal, without building the runtime's
 * stdio streams: `process.stdout.isTTY` (and importing node:tty) loads
 * node:stream, about 10 ms of a `secrets get`'s start-up (a CPU profile of
 * the client bundle: 10.5 of its 18.9 ms), where isatty(3) through bun:ffi
 * costs about 0.6 ms. Under Node, or where libc cannot be loaded, the
 * stream's own answer.
 */
import { RUNTIME } from '../runtime.ts'

/** isatty(3) of `fd`, or undefined when it cannot be asked here. */
function ffiIsatty(fd: number): boolean | undefined {
  if (RUNTIME !== 'bun' || process.platform !== 'linux') return undefined
  try {
    // A specifier in a variable: bundlers for Node leave it alone.
    const specifier = 'bun:ffi'
    const ffi = require(specifier) as typeof import('bun:ffi')
    const lib = ffi.dlopen('libc.so.6', { isatty: { args: [ffi.FFIType.i32], returns: ffi.FFIType.i32 } })
    try {
      return lib.symbols.isatty(fd) === 1
    } finally {
      lib.close()
    }
  } catch {
    return undefined
  }
}

/** Whether standard output is a terminal. */
export function stdoutIsTerminal(): boolean {
  return ffiIsatty(1) ?? Boolean(process.stdout.isTTY)
}
