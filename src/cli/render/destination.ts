/**
 * Where pass 2 of a render writes, and the promise that a failed render
 * writes nothing to an OUT path.
 *
 * The destination is opened before anything is decrypted (renderFile), so an
 * OUT that cannot or must not be written fails the render before a secret is
 * read or audited. Then:
 *
 * - A regular OUT (or a new one) gets a 0600 temporary file beside it, in the
 *   directory of the file a symlinked OUT points to, so the link survives.
 *   On success it is fsynced, renamed over OUT, and the directory is fsynced
 *   (so the rename itself survives a power loss); on any failure it is
 *   unlinked, and OUT is left as it was. It is written on the runtime's
 *   thread pool, with a background `fdatasync` every few MiB, while pass 2
 *   goes on (background-writer.ts); an error of any of them fails the render
 *   like an error of the final fsync. A render killed outright (SIGKILL,
 *   power loss) cannot unlink it: the temporary file's name carries the pid
 *   of its render, and the next render into that directory removes the ones
 *   whose render is gone (`.OUT.secrets-PID-RANDOM.tmp`, a regular file the
 *   current user owns). Node has no O_TMPFILE with linkat, hence a name.
 * - Refused: OUT that is the same file as IN (rendering in place would
 *   replace the template with plaintext), a directory, and any existing OUT
 *   that is not a regular file (FIFO, device, socket, symlink) owned by
 *   another user than the current one or root: another user who creates OUT
 *   as a FIFO in a shared directory would otherwise receive the plaintext.
 *   Root is trusted because it can read everything anyway, and owns
 *   `/dev/null` and the terminals.
 * - Written directly, like stdout: `/dev/stdout`, `/dev/stderr`,
 *   `/dev/fd/N`, `/proc/self/fd/N` (the caller's own descriptors, written
 *   through the descriptor itself, not reopened), and a FIFO or device the
 *   current user or root owns. A FIFO is opened non-blocking: with no reader
 *   the render fails at once instead of hanging in open().
 * - A symlink of the current user to a FIFO or device of another user is
 *   replaced by the rendered file, never written through.
 */
import { basename, dirname, join } from 'node:path'
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  statSync,
  type Stats,
  unlinkSync,
} from 'node:fs'
import { randomHex } from '../../crypto/encoding.ts'
import { BackgroundWriter, type BackgroundWriterOptions, POOL_CALLS, type WriterCalls } from './background-writer.ts'
import { writingTo } from '../output-error.ts'
import { STDOUT, writeAll } from './fd.ts'

/** Where pass 2 writes, and how to finish or undo it. */
export interface Destination {
  fd: number
  /** Writes all of `bytes`, which may be reused once this returns (a temporary OUT is written on the thread pool). */
  write(bytes: Uint8Array): void
  /** Whether background writes are running: the event loop must turn for them to finish. */
  readonly busy: boolean
  /**
   * Resolves once no background write is running (never rejects; an error
   * of one is thrown by commit). Await it before commit or abort.
   */
  settle(): Promise<void>
  /** Makes the output visible (rename over OUT); called once, after everything succeeded and settle() resolved. */
  commit(): void
  /** Undoes everything (unlinks the temporary file); never throws. */
  abort(): void
}

/** The file system calls a temporary OUT is written and made durable with (tests replace them). */
export interface DurabilityCalls extends WriterCalls {
  fsync(fd: number): void
  /** fsyncs a directory, so a rename in it is durable. */
  fsyncDirectory(dir: string): void
}

const DURABLE: DurabilityCalls = {
  ...POOL_CALLS,
  fsync: fsyncSync,
  fsyncDirectory(dir) {
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY)
    try {
      fsyncSync(fd)
    } catch (err) {
      // Some file systems cannot fsync a directory; the rename is as durable as they make it.
      const code = (err as { code?: unknown }).code
      if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err
    } finally {
      closeSync(fd)
    }
  },
}

/** Options of {@link openDestination} (tests only). */
export interface DestinationOptions {
  calls?: DurabilityCalls
  /** Buffer and fdatasync sizes of the background writes (default: BackgroundWriter's). */
  writer?: Omit<BackgroundWriterOptions, 'calls'>
}

/** A descriptor written as it is (stdout, a FIFO, a device): nothing to sync or undo. `where` names it in errors. */
function plain(fd: number, where: string, done: () => void = () => {}): Destination {
  return { fd, write: (bytes) => writingTo(where, () => writeAll(fd, bytes)), busy: false, settle: () => Promise.resolve(), commit: done, abort: done }
}

/** Device and inode of a regular input file, to refuse rendering it onto itself. */
export interface FileIdentity {
  dev: number
  ino: number
}

/** The caller's own descriptors, written through the descriptor: N, or undefined. */
function callerDescriptor(path: string): number | undefined {
  if (path === '/dev/stdout') return 1
  if (path === '/dev/stderr') return 2
  const m = /^\/(?:dev\/fd|proc\/self\/fd)\/(\d+)$/.exec(path)
  return m ? Number(m[1]) : undefined
}

/**
 * Opens where pass 2 writes (see the file comment for the rules).
 * @param input the input file, when it is a regular file (to refuse OUT = IN)
 * @throws Error naming OUT when it is refused (code EISDIR for a directory,
 *   ENOENT for a missing directory, ENXIO for a FIFO nobody reads); Node I/O
 *   errors otherwise.
 */
export function openDestination(path: string | null, input: FileIdentity | null, options: DestinationOptions = {}): Destination {
  if (path === null) return plain(STDOUT, 'standard output')
  const replace = (target: string) => temporaryBeside(path, target, input, options)
  const own = callerDescriptor(path)
  if (own !== undefined) {
    const st = fstatSync(own)
    if (!st.isFile()) return plain(own, own === 1 ? 'standard output' : `OUT ${path}`)
    // A descriptor on a regular file: replace that file, like any OUT path.
    return replace(realpathSync(path))
  }
  const link = lstatOrNull(path)
  if (link === null) return replace(path)
  if (link.isFile()) return replace(path)
  if (link.isDirectory()) throw refusal(path, 'is a directory', 'EISDIR')
  if (!trusted(link)) {
    const what = link.isSymbolicLink() ? 'a symbolic link' : `a ${kind(link)}`
    const how = link.isSymbolicLink() ? 'through it' : 'to it'
    throw refusal(path, `is ${what} owned by another user (uid ${link.uid}): refusing to write secrets ${how}`)
  }
  if (!link.isSymbolicLink()) return direct(path, path, link)
  const target = statOrNull(path)
  // A dangling link: the rendered file takes its place.
  if (target === null) return replace(path)
  if (target.isFile()) return replace(realpathSync(path))
  if (target.isDirectory()) throw refusal(path, 'is a directory', 'EISDIR')
  // Never write through a link into another user's FIFO or device: replace the link.
  return trusted(target) ? direct(path, realpathSync(path), target) : replace(path)
}

/** Owned by the current user or by root. */
function trusted(st: Stats): boolean {
  return st.uid === currentUid() || st.uid === 0
}

function currentUid(): number {
  return process.geteuid?.() ?? process.getuid?.() ?? -1
}

function kind(st: Stats): string {
  if (st.isFIFO()) return 'FIFO'
  if (st.isSocket()) return 'socket'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'device'
  return 'special file'
}

function refusal(path: string, what: string, code?: string): Error {
  const err = new Error(`OUT ${path} ${what}`)
  if (code !== undefined) Object.assign(err, { code })
  return err
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path)
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return null
    throw err
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path)
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return null
    throw err
  }
}

/**
 * A FIFO or device written in place. Opened non-blocking and without
 * following a link, then checked to be the very file that was inspected.
 */
function direct(path: string, real: string, expected: Stats): Destination {
  let fd: number
  try {
    fd = openSync(real, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW | constants.O_NOCTTY)
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENXIO' && expected.isFIFO()) {
      throw refusal(path, 'is a FIFO that no process is reading: start the reader first', 'ENXIO')
    }
    throw err
  }
  const st = fstatSync(fd)
  if (st.dev !== expected.dev || st.ino !== expected.ino) {
    closeSync(fd)
    throw refusal(path, 'was replaced while it was being opened')
  }
  return plain(fd, `OUT ${path}`, () => closeSync(fd))
}

/** The name of a temporary file of ours: `.BASE.secrets-PID-RANDOM.tmp`. */
const TEMP_NAME = /^\..+\.secrets-(\d+)-[0-9a-f]{12}\.tmp$/

/** A 0600 temporary file beside `target`, renamed over it on commit. */
function temporaryBeside(path: string, target: string, input: FileIdentity | null, options: DestinationOptions): Destination {
  const calls = options.calls ?? DURABLE
  if (input !== null) {
    const st = statOrNull(target)
    if (st !== null && st.dev === input.dev && st.ino === input.ino) {
      throw refusal(path, 'is the same file as IN: render to another path')
    }
  }
  const dir = dirname(target)
  removeStaleTemporaries(dir)
  const tmp = join(dir, `.${basename(target)}.secrets-${process.pid}-${randomHex(6)}.tmp`)
  let fd: number
  try {
    // 0600 whatever OUT had before: the rendered file holds secret values.
    fd = openSync(tmp, 'wx', 0o600)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw Object.assign(new Error(`cannot write OUT ${path}: the directory ${dir} does not exist`), { code: 'ENOENT' })
    }
    throw err
  }
  let open = true
  const writer = new BackgroundWriter(fd, { ...options.writer, calls })
  // Until the rename, a failure leaves OUT as it was (abort unlinks the temporary file).
  const failed = { notes: ['OUT was left as it was'] }
  return {
    fd,
    write: (bytes) => writingTo(`OUT ${path}`, () => writer.write(bytes), failed),
    get busy() {
      return writer.busy
    },
    settle: () => writer.settle(),
    commit() {
      if (writer.busy) throw new Error('render: commit before the background writes settled')
      // Hygiene: the buffers held rendered output.
      writer.wipe()
      writingTo(`OUT ${path}`, () => {
        writer.check()
        calls.fsync(fd)
        closeSync(fd)
        open = false
        renameSync(tmp, target)
      }, failed)
      writingTo(`OUT ${path}`, () => calls.fsyncDirectory(dir), {
        notes: [`OUT was replaced, but the rename may not survive a power loss: fsync of ${dir} failed`],
      })
    },
    abort() {
      writer.wipe()
      if (open) closeSync(fd)
      open = false
      try {
        unlinkSync(tmp)
      } catch {
        // Best effort: the original error is the one to report.
      }
    },
  }
}

/**
 * Removes temporary files of renders into `dir` that were killed before they
 * could clean up: our name pattern, a regular file of the current user, and
 * no live process with the pid in the name. A live render's file (any pid
 * that exists, even of another user) is kept. Once per render.
 */
function removeStaleTemporaries(dir: string): void {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    // A missing or unreadable directory: creating the temporary file reports it.
    return
  }
  const uid = currentUid()
  for (const name of names) {
    const m = TEMP_NAME.exec(name)
    if (!m || processAlive(Number(m[1]))) continue
    const file = join(dir, name)
    try {
      const st = lstatSync(file)
      if (st.isFile() && st.uid === uid) unlinkSync(file)
    } catch {
      // Gone already (another render removed it), or not ours to remove.
    }
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as { code?: unknown }).code !== 'ESRCH'
  }
}


