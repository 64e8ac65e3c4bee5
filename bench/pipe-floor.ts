/**
 * The floor of a piped render (issue 19): what `cat IN | secrets render | cat`
 * cannot avoid doing, and nothing else. A render must hold the whole input
 * until every name resolved (nothing is written before), so it copies a pipe
 * to a spool and reads that back; this script does only that, the way the
 * render does it, with no scan, no substitution, no database and no CLI.
 * bench/speed.ts times it in the pipe row's rounds.
 *
 *   cat IN | node_modules/.bin/bun bench/pipe-floor.ts copy | cat > /dev/null
 *   cat IN | node_modules/.bin/bun bench/pipe-floor.ts sendfile | cat > /dev/null
 *
 * Both widen the input and output pipes to 1 MiB (as src/cli/render/pipe-size.ts),
 * read stdin 256 KiB at a time into an unlinked file in /dev/shm, then write
 * it to stdout: `copy` reads it back 256 KiB at a time and writes each chunk
 * (what the render's pass 2 does, less the copy of values); `sendfile` hands
 * the kernel the whole spool (sendfile(2) through bun:ffi: no copy into the
 * process), which a render cannot do, since its output is not its input.
 */
import { dlopen, FFIType } from 'bun:ffi'
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'

const mode = process.argv[2]
if (mode !== 'copy' && mode !== 'sendfile') throw new Error('usage: node_modules/.bin/bun bench/pipe-floor.ts copy|sendfile')
const CHUNK = 1 << 18
const F_SETPIPE_SZ = 1031
const libc = dlopen('libc.so.6', {
  fcntl: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  sendfile: { args: [FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u64], returns: FFIType.i64 },
})
libc.symbols.fcntl(0, F_SETPIPE_SZ, 1 << 20)
libc.symbols.fcntl(1, F_SETPIPE_SZ, 1 << 20)

const dir = mkdtempSync('/dev/shm/pipe-floor-')
const spool = openSync(join(dir, 'input'), 'wx+', 0o600)
unlinkSync(join(dir, 'input'))
rmdirSync(dir)

const buf = new Uint8Array(CHUNK)
let length = 0
for (;;) {
  const n = readSync(0, buf, 0, CHUNK, null)
  if (n === 0) break
  for (let w = 0; w < n; ) w += writeSync(spool, buf, w, n - w, length + w)
  length += n
}
if (mode === 'copy') {
  for (let at = 0; at < length; ) {
    const n = readSync(spool, buf, 0, Math.min(CHUNK, length - at), at)
    for (let w = 0; w < n; ) w += writeSync(1, buf, w, n - w)
    at += n
  }
} else {
  // sendfile's offset argument: an off_t the kernel advances.
  const offset = new BigInt64Array(1)
  while (offset[0]! < BigInt(length)) {
    if (Number(libc.symbols.sendfile(1, spool, offset, Math.min(1 << 24, length - Number(offset[0])))) <= 0) throw new Error('sendfile failed')
  }
}
closeSync(spool)
