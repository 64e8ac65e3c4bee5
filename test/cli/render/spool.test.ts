/**
 * Spooling an input that cannot be read twice (src/cli/render/spool.ts):
 * the RENDER_SPOOL_LIMIT format and the limit itself (issue 12, point 9).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statfsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { renderFile } from '../../../src/cli/render/render-file.ts'
import { DEFAULT_SPOOL_LIMIT, openSpool, parseSpoolLimit, spoolAppend, spoolDirectory, SpoolLimitError } from '../../../src/cli/render/spool.ts'
import { ConfigError } from '../../../src/errors.ts'
import { errorOf } from '../../render/helpers.ts'

const FIXTURE = join(import.meta.dir, 'fixtures', 'render-stdio.ts')
const MIB = 1 << 20

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'spool-test-'))
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('parseSpoolLimit', () => {
  test('bytes, or K, M, G, T in powers of 1024; unset or empty is the default of 1 GiB', () => {
    expect(DEFAULT_SPOOL_LIMIT).toBe(1024 * MIB)
    const cases: [string | undefined, number][] = [
      [undefined, DEFAULT_SPOOL_LIMIT],
      ['', DEFAULT_SPOOL_LIMIT],
      ['1', 1],
      ['4096', 4096],
      ['64K', 64 * 1024],
      ['256M', 256 * MIB],
      ['256m', 256 * MIB],
      ['2G', 2 * 1024 * MIB],
      ['1T', 2 ** 40],
    ]
    expect(cases.map(([v]) => parseSpoolLimit(v))).toEqual(cases.map(([, n]) => n))
  })

  test('anything else is a ConfigError naming the variable', () => {
    for (const bad of ['0', '-1', '1.5G', '1GB', '1 M', 'M', 'lots', '99999999999999999999']) {
      const err = (() => {
        try {
          parseSpoolLimit(bad)
        } catch (e) {
          return e
        }
      })()
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as Error).message).toStartWith('RENDER_SPOOL_LIMIT must be a positive whole number of bytes')
    }
  })
})

describe('the spool limit', () => {
  test('an input that never ends (/dev/zero) fails at the limit: nothing resolved, OUT not created, no spool left', async () => {
    const d = mkdtempSync(join(root, 'case-'))
    const tmp = mkdtempSync(join(root, 'tmp-'))
    const prev = process.env.TMPDIR
    process.env.TMPDIR = tmp
    const calls: string[][] = []
    try {
      const err = await errorOf(
        renderFile({
          input: '/dev/zero',
          output: join(d, 'out'),
          spoolLimit: 4 * MIB,
          resolveAll: async (names) => {
            calls.push(names)
            return new Map()
          },
        }),
      )
      expect(err).toBeInstanceOf(SpoolLimitError)
      expect((err as Error).message).toStartWith(`the input is longer than RENDER_SPOOL_LIMIT (${4 * MIB} bytes)`)
    } finally {
      if (prev === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = prev
    }
    expect(calls).toEqual([])
    expect(existsSync(join(d, 'out'))).toBe(false)
    expect(readdirSync(d)).toEqual([])
    expect(readdirSync(tmp)).toEqual([])
  })

  test('piped stdin of exactly the limit renders; one byte more fails (child process)', () => {
    // A real pipe: `head -c N /dev/zero | render` (a Uint8Array stdin may reach the child as a file).
    const run = (bytes: number) =>
      Bun.spawnSync({
        cmd: ['sh', '-c', 'head -c "$1" /dev/zero | "$0" "$2" render', process.execPath, String(bytes), FIXTURE],
        env: { ...process.env, RENDER_SPOOL_LIMIT: String(MIB + 3) },
        timeout: 30_000,
      })
    const ok = run(MIB + 3)
    expect([ok.exitCode, ok.stdout.length]).toEqual([0, MIB + 3])
    const over = run(MIB + 4)
    expect(over.exitCode).toBe(1)
    expect(over.stdout.length).toBe(0)
    expect(over.stderr.toString()).toStartWith(`Error: the input is longer than RENDER_SPOOL_LIMIT (${MIB + 3} bytes)`)
  })
})

/** Whether this machine has /dev/shm as a memory file system (tmpfs). */
function haveShm(): boolean {
  try {
    return statfsSync('/dev/shm').type === 0x01021994
  } catch {
    return false
  }
}

describe('where the spool goes', () => {
  test('$TMPDIR when it is set; else /dev/shm when it is tmpfs; else the temporary directory', () => {
    const dir = mkdtempSync(join(root, 'tmpdir-'))
    const prev = process.env.TMPDIR
    try {
      process.env.TMPDIR = dir
      expect(spoolDirectory(process.env)).toBe(dir)
    } finally {
      if (prev === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = prev
    }
    expect(spoolDirectory({})).toBe(haveShm() ? '/dev/shm' : tmpdir())
  })

  test('a spool leaves no name behind in its directory', () => {
    const dir = mkdtempSync(join(root, 'spooldir-'))
    const fd = openSpool(dir)
    try {
      expect(readdirSync(dir)).toEqual([])
      expect(fstatSync(fd).nlink).toBe(0)
      expect(fstatSync(fd).mode & 0o777).toBe(0o600)
    } finally {
      closeSync(fd)
    }
  })

  test.skipIf(!haveShm())('a full memory file system (ENOSPC) moves the spool to the temporary directory, bytes kept', () => {
    const prev = process.env.TMPDIR
    delete process.env.TMPDIR
    // /dev/full: every write fails with ENOSPC, reads give zero bytes (as if it held "\0\0\0").
    const full = openSync('/dev/full', 'r+')
    let moved = -1
    try {
      moved = spoolAppend(full, new TextEncoder().encode('abc'), 3)
    } finally {
      if (prev !== undefined) process.env.TMPDIR = prev
    }
    try {
      expect(moved).not.toBe(full)
      expect(() => fstatSync(full)).toThrow() // the old spool was closed
      const back = new Uint8Array(16)
      const n = readSync(moved, back, 0, 16, 0)
      expect([...back.subarray(0, n)]).toEqual([0, 0, 0, 97, 98, 99])
      expect(fstatSync(moved).nlink).toBe(0)
    } finally {
      closeSync(moved)
    }
  })

  test('another write error is not swallowed', () => {
    const dir = mkdtempSync(join(root, 'ro-'))
    const fd = openSync(join(dir, 'f'), 'w')
    const ro = openSync(join(dir, 'f'), 'r')
    closeSync(fd)
    try {
      expect(() => spoolAppend(ro, new Uint8Array(4), 0)).toThrow(expect.objectContaining({ code: 'EBADF' }))
    } finally {
      closeSync(ro)
    }
  })
})
