/**
 * Where `renderFile` writes (src/cli/render/destination.ts): which OUTs are
 * refused before anything is resolved, which are written directly, which are
 * replaced, and that no temporary file outlives its render.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import {
  closeSync,
  constants,
  existsSync,
  lchownSync,
  chownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { renderFile } from '../../../src/cli/render/render-file.ts'
import { resolverOf } from './helpers.ts'
import { errorOf, valueMap } from '../../render/helpers.ts'

const VALUES = valueMap({ A: 'alpha', B: 'beta' })
const FIXTURE = join(import.meta.dir, 'fixtures', 'render-stdio.ts')
/** Another user: tests run as root here, which owns everything else. */
const NOBODY = 65534
const isRoot = process.getuid?.() === 0

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'destination-test-'))
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

function dir(): string {
  return mkdtempSync(join(root, 'case-'))
}

const resolver = () => resolverOf(VALUES)

function mkfifo(path: string): void {
  expect(Bun.spawnSync(['mkfifo', '-m', '0666', path]).exitCode).toBe(0)
}

/** Opens a FIFO for reading without blocking, so a writer's open succeeds. */
function fifoReader(path: string): { fd: number; drain: () => string } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  return {
    fd,
    drain() {
      const buf = new Uint8Array(1 << 16)
      let text = ''
      for (;;) {
        let n: number
        try {
          n = readSync(fd, buf, 0, buf.length, null)
        } catch (err) {
          if ((err as { code?: string }).code === 'EAGAIN') break
          throw err
        }
        if (n === 0) break
        text += new TextDecoder().decode(buf.subarray(0, n))
      }
      closeSync(fd)
      return text
    },
  }
}

/** A pid that no process has: one that just exited. */
async function deadPid(): Promise<number> {
  const p = Bun.spawn(['true'])
  await p.exited
  return p.pid
}

function runFixture(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawnSync({
    cmd: [process.execPath, FIXTURE, ...args],
    env: { ...process.env, RENDER_STDIO_TRACE: '1', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
    // Old code blocked forever here; a kill makes that a failure, not a hung suite.
    timeout: 30_000,
  })
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() }
}

describe('OUTs refused before anything is resolved (issue 12, point 6)', () => {
  test('OUT equal to IN: refused, the template is left as it was', async () => {
    const d = dir()
    writeFileSync(join(d, 'f'), 'v=${SECRET:B}')
    linkSync(join(d, 'f'), join(d, 'hard'))
    symlinkSync('f', join(d, 'soft'))
    for (const out of ['f', 'hard', 'soft', `../${d.split('/').pop()}/f`]) {
      const resolve = resolver()
      const err = await errorOf(renderFile({ input: join(d, 'f'), output: join(d, out), resolveAll: resolve }))
      expect((err as Error).message).toBe(`OUT ${join(d, out)} is the same file as IN: render to another path`)
      expect(resolve.calls).toEqual([])
    }
    expect(readFileSync(join(d, 'f'), 'utf8')).toBe('v=${SECRET:B}')
    expect(readdirSync(d).sort()).toEqual(['f', 'hard', 'soft'])
  })

  test('OUT equal to a stdin redirected from that file: refused (child process)', () => {
    const d = dir()
    writeFileSync(join(d, 'f'), 'v=${SECRET:B}')
    const r = Bun.spawnSync({
      cmd: [process.execPath, FIXTURE, 'render', '-', join(d, 'f')],
      stdin: Bun.file(join(d, 'f')),
      env: { ...process.env, RENDER_STDIO_TRACE: '1' },
      timeout: 30_000,
    })
    expect(r.exitCode).toBe(1)
    expect(r.stderr.toString()).toBe(`Error: OUT ${join(d, 'f')} is the same file as IN: render to another path`)
    expect(readFileSync(join(d, 'f'), 'utf8')).toBe('v=${SECRET:B}')
  })

  test('OUT that is a directory: refused, nothing created in it', async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), '${SECRET:A}')
    mkdirSync(join(d, 'sub'))
    symlinkSync('sub', join(d, 'link'))
    for (const out of ['sub', 'link']) {
      const resolve = resolver()
      const err = await errorOf(renderFile({ input: join(d, 'in'), output: join(d, out), resolveAll: resolve }))
      expect((err as { code?: string; message: string })).toMatchObject({ code: 'EISDIR', message: `OUT ${join(d, out)} is a directory` })
      expect(resolve.calls).toEqual([])
    }
    expect(readdirSync(join(d, 'sub'))).toEqual([])
  })

  test('an OUT in a missing directory: ENOENT naming the directory, before resolving, nothing created', async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), 'x')
    const resolve = resolver()
    const err = await errorOf(renderFile({ input: join(d, 'in'), output: join(d, 'no', 'out'), resolveAll: resolve }))
    expect(err as { code?: string; message: string }).toMatchObject({
      code: 'ENOENT',
      message: `cannot write OUT ${join(d, 'no', 'out')}: the directory ${join(d, 'no')} does not exist`,
    })
    expect(resolve.calls).toEqual([])
    expect(existsSync(join(d, 'no'))).toBe(false)
  })
})

describe('OUTs that are not regular files (issue 12, point 7)', () => {
  test('an OUT that is a device is written directly, never replaced', async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), '${SECRET:A}')
    const result = await renderFile({ input: join(d, 'in'), output: '/dev/null', resolveAll: resolver() })
    expect(result.bytesOut).toBe(5)
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true)
  })

  test('an OUT that is a symlink to a regular file: the file it points to is replaced, the link stays', async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), '${SECRET:B}')
    writeFileSync(join(d, 'real'), 'old')
    symlinkSync('real', join(d, 'link'))
    await renderFile({ input: join(d, 'in'), output: join(d, 'link'), resolveAll: resolver() })
    expect(lstatSync(join(d, 'link')).isSymbolicLink()).toBe(true)
    expect(readFileSync(join(d, 'real'), 'utf8')).toBe('beta')
    expect(readdirSync(d).sort()).toEqual(['in', 'link', 'real'])
  })

  test('a FIFO of the current user with a reader: the reader gets the render', async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), 'x=${SECRET:A}')
    mkfifo(join(d, 'fifo'))
    const reader = fifoReader(join(d, 'fifo'))
    const result = await renderFile({ input: join(d, 'in'), output: join(d, 'fifo'), resolveAll: resolver() })
    expect(result.bytesOut).toBe(7)
    expect(reader.drain()).toBe('x=alpha')
    expect(lstatSync(join(d, 'fifo')).isFIFO()).toBe(true)
  })

  test.skipIf(!isRoot)('a FIFO another user owns: refused before resolving, even for root; its reader gets nothing', async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), 'x=${SECRET:A}')
    mkfifo(join(d, 'fifo'))
    chownSync(join(d, 'fifo'), NOBODY, NOBODY)
    const reader = fifoReader(join(d, 'fifo'))
    const resolve = resolver()
    const err = await errorOf(renderFile({ input: join(d, 'in'), output: join(d, 'fifo'), resolveAll: resolve }))
    expect((err as Error).message).toBe(
      `OUT ${join(d, 'fifo')} is a FIFO owned by another user (uid ${NOBODY}): refusing to write secrets to it`,
    )
    expect(resolve.calls).toEqual([])
    expect(reader.drain()).toBe('')
  })

  test.skipIf(!isRoot)('a symlink another user owns (to their FIFO): refused before resolving; the reader gets nothing', async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), 'x=${SECRET:A}')
    mkfifo(join(d, 'fifo'))
    chownSync(join(d, 'fifo'), NOBODY, NOBODY)
    symlinkSync('fifo', join(d, 'out'))
    lchownSync(join(d, 'out'), NOBODY, NOBODY)
    const reader = fifoReader(join(d, 'fifo'))
    const resolve = resolver()
    const err = await errorOf(renderFile({ input: join(d, 'in'), output: join(d, 'out'), resolveAll: resolve }))
    expect((err as Error).message).toBe(
      `OUT ${join(d, 'out')} is a symbolic link owned by another user (uid ${NOBODY}): refusing to write secrets through it`,
    )
    expect(resolve.calls).toEqual([])
    expect(reader.drain()).toBe('')
  })

  test.skipIf(!isRoot)("the user's own symlink to another user's FIFO: the link is replaced by the render, the FIFO gets nothing", async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), 'x=${SECRET:A}')
    mkfifo(join(d, 'fifo'))
    chownSync(join(d, 'fifo'), NOBODY, NOBODY)
    symlinkSync('fifo', join(d, 'out'))
    const reader = fifoReader(join(d, 'fifo'))
    await renderFile({ input: join(d, 'in'), output: join(d, 'out'), resolveAll: resolver() })
    expect(reader.drain()).toBe('')
    expect(lstatSync(join(d, 'out')).isFile()).toBe(true)
    expect(statSync(join(d, 'out')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(d, 'out'), 'utf8')).toBe('x=alpha')
    expect(lstatSync(join(d, 'fifo')).isFIFO()).toBe(true)
  })

  test('a FIFO no process reads: fails at once, before resolving, instead of blocking in open (child process)', () => {
    const d = dir()
    writeFileSync(join(d, 'in'), 'x=${SECRET:A}')
    mkfifo(join(d, 'fifo'))
    const r = runFixture(['render', join(d, 'in'), join(d, 'fifo')])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`Error: OUT ${join(d, 'fifo')} is a FIFO that no process is reading: start the reader first`)
  })

  test('/dev/stdout and /dev/fd/1 of the caller are written to (child process, stdout a pipe)', () => {
    const d = dir()
    writeFileSync(join(d, 'in'), 'x=${SECRET:A}\n')
    for (const out of ['/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']) {
      const r = runFixture(['render', join(d, 'in'), out])
      expect([r.code, r.stdout]).toEqual([0, 'x=alpha\n'])
    }
  })
})

describe('temporary files (issue 12, point 8)', () => {
  test('a render killed by SIGKILL leaves a temporary file that the next render into that directory removes', async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), 'x=${SECRET:A}')
    const proc = Bun.spawn([process.execPath, FIXTURE, 'render', join(d, 'in'), join(d, 'out')], {
      env: { ...process.env, RENDER_STDIO_HANG: '1' },
      stderr: 'pipe',
    })
    // The temporary file exists once the destination is known to be writable.
    const deadline = Date.now() + 30_000
    while (!readdirSync(d).some((n) => n.endsWith('.tmp')) && Date.now() < deadline) await Bun.sleep(10)
    proc.kill('SIGKILL')
    await proc.exited
    const left = readdirSync(d).filter((n) => n.endsWith('.tmp'))
    expect(left.length).toBe(1)
    expect(statSync(join(d, left[0]!)).mode & 0o777).toBe(0o600)
    await renderFile({ input: join(d, 'in'), output: join(d, 'other'), resolveAll: resolver() })
    expect(readdirSync(d).sort()).toEqual(['in', 'other'])
  }, 60_000)

  test("the next render removes only stale temporary files of ours: not a live render's, not another user's, not a stranger's", async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), '${SECRET:B}')
    const dead = await deadPid()
    const stale = `.out.secrets-${dead}-0123456789ab.tmp`
    const live = `.out.secrets-${process.pid}-0123456789ab.tmp`
    const foreign = `.x.secrets-${dead}-ba9876543210.tmp`
    const stranger = `.out.${dead}.tmp`
    for (const name of [stale, live, foreign, stranger]) writeFileSync(join(d, name), 'plaintext')
    if (isRoot) chownSync(join(d, foreign), NOBODY, NOBODY)
    await renderFile({ input: join(d, 'in'), output: join(d, 'out'), resolveAll: resolver() })
    const expected = ['in', 'out', live, stranger, ...(isRoot ? [foreign] : [])].sort()
    expect(readdirSync(d).sort()).toEqual(expected)
    expect(readFileSync(join(d, 'out'), 'utf8')).toBe('beta')
  })
})
