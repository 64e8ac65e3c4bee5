/**
 * How a replaced OUT is made durable (src/cli/render/destination.ts): the
 * temporary file is fsynced, renamed over OUT and its directory fsynced;
 * while pass 2 writes, background write-backs (fdatasync on the thread pool)
 * run every few bytes, and one that fails fails the render with OUT untouched
 * (the background writes themselves: background-writer.test.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { POOL_CALLS } from '../../../src/cli/render/background-writer.ts'
import { type DurabilityCalls, openDestination } from '../../../src/cli/render/destination.ts'
import { turn } from '../../../src/cli/render/passes.ts'
import { OutputError } from '../../../src/cli/output-error.ts'
import { renderFile } from '../../../src/cli/render/render-file.ts'
import { resolverOf } from './helpers.ts'
import { errorOf, valueMap } from '../../render/helpers.ts'

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'destination-durability-'))
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

function dir(): string {
  return mkdtempSync(join(root, 'case-'))
}

/** Durability calls that record what was called, in order; `fdatasync` answers as `answer` says. */
function recording(answer: () => Promise<void> = () => Promise.resolve()): DurabilityCalls & { log: string[] } {
  const log: string[] = []
  return {
    log,
    pwrite: POOL_CALLS.pwrite,
    fdatasync(fd) {
      log.push(`fdatasync ${fd}`)
      return answer()
    },
    fsync(fd) {
      log.push(`fsync ${fd}`)
    },
    fsyncDirectory(d) {
      log.push(`fsyncDirectory ${d}`)
    },
  }
}

const bytes = (n: number) => new Uint8Array(n).fill(0x61)

describe('a replaced OUT is durable before the render returns', () => {
  test('commit fsyncs the file, renames it over OUT, then fsyncs the directory', async () => {
    const d = dir()
    const out = join(d, 'out.txt')
    writeFileSync(out, 'old')
    const calls = recording()
    const dest = openDestination(out, null, { calls })
    dest.write(new TextEncoder().encode('new'))
    await dest.settle()
    // Before commit: OUT is as it was.
    expect(readFileSync(out, 'utf8')).toBe('old')
    dest.commit()
    expect(calls.log).toEqual([`fsync ${dest.fd}`, `fsyncDirectory ${d}`])
    expect(readFileSync(out, 'utf8')).toBe('new')
    expect(readdirSync(d)).toEqual(['out.txt'])
  })

  test('the real calls: a render to OUT leaves the file and no temporary file', async () => {
    const d = dir()
    const inPath = join(d, 'in.txt')
    writeFileSync(inPath, 'a=${SECRET:A}\n')
    await renderFile({ input: inPath, output: join(d, 'out.txt'), resolveAll: resolverOf(valueMap({ A: 'alpha' })) })
    expect(readFileSync(join(d, 'out.txt'), 'utf8')).toBe('a=alpha\n')
    expect(readdirSync(d).sort()).toEqual(['in.txt', 'out.txt'])
  })
})

describe('background write-back while pass 2 writes', () => {
  test('one fdatasync per step of bytes written, the next only after the one before finished; commit waits for settle', async () => {
    const d = dir()
    const out = join(d, 'out.txt')
    let release: () => void = () => {}
    const calls = recording(() => new Promise<void>((resolve) => (release = resolve)))
    const dest = openDestination(out, null, { calls, writer: { syncStep: 1000, bufferSize: 1000 } })
    // Buffered until its buffer is full, then written in the background and counted.
    dest.write(bytes(999))
    expect(calls.log).toEqual([])
    dest.write(bytes(1))
    expect(calls.log).toEqual([`fdatasync ${dest.fd}`])
    // Still running: more steps written (this one at once: larger than a buffer) start no second one.
    dest.write(bytes(5000))
    expect(calls.log.length).toBe(1)
    expect(() => dest.commit()).toThrow('before the background writes settled')
    release()
    await turn()
    dest.write(bytes(1000))
    expect(calls.log).toEqual([`fdatasync ${dest.fd}`, `fdatasync ${dest.fd}`])
    const settled = dest.settle()
    release()
    await settled
    dest.commit()
    expect(readFileSync(out).length).toBe(7000)
  })

  test('a render larger than the step runs background write-backs and renders the same bytes', async () => {
    const d = dir()
    const inPath = join(d, 'in.txt')
    const line = 'x'.repeat(100) + ' ${SECRET:A} and $${SECRET:A}\n'
    writeFileSync(inPath, line.repeat(20_000))
    const calls = recording()
    await renderFile({
      input: inPath,
      output: join(d, 'out.txt'),
      resolveAll: resolverOf(valueMap({ A: 'alpha' })),
      tuning: { destination: { calls, writer: { syncStep: 64 << 10 } } },
    })
    expect(readFileSync(join(d, 'out.txt'), 'utf8')).toBe(('x'.repeat(100) + ' alpha and ${SECRET:A}\n').repeat(20_000))
    expect(calls.log.filter((c) => c.startsWith('fdatasync')).length).toBeGreaterThan(0)
    expect(calls.log.at(-1)).toBe(`fsyncDirectory ${d}`)
  })

  const failures: [string, (c: DurabilityCalls) => void][] = [
    ['a background fdatasync fails (EIO)', (c) => (c.fdatasync = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })))],
    ['a background write fails (ENOSPC)', (c) => (c.pwrite = () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })))],
  ]
  for (const [what, breakIt] of failures) {
    test(`${what}: the render fails with that error, OUT untouched, no temporary file`, async () => {
      const d = dir()
      const inPath = join(d, 'in.txt')
      const out = join(d, 'out.txt')
      writeFileSync(inPath, ('y'.repeat(200) + ' ${SECRET:A}\n').repeat(10_000))
      writeFileSync(out, 'old')
      const calls = recording()
      breakIt(calls)
      const err = (await errorOf(
        renderFile({
          input: inPath,
          output: out,
          resolveAll: resolverOf(valueMap({ A: 'alpha' })),
          tuning: { destination: { calls, writer: { syncStep: 64 << 10 } } },
        }),
      )) as { code?: string; message: string }
      expect(err.code).toBe(what.includes('EIO') ? 'EIO' : 'ENOSPC')
      // Named as the output's failure (not a bare errno the CLI could take for the database's).
      expect(err).toBeInstanceOf(OutputError)
      const reason = what.includes('EIO') ? 'I/O error (EIO)' : 'no space left on device (ENOSPC)'
      expect(err.message).toBe(`cannot write OUT ${out}: ${reason}; OUT was left as it was`)
      // The final fsync and the rename never ran.
      expect(calls.log.some((c) => c.startsWith('fsync '))).toBe(false)
      expect(readFileSync(out, 'utf8')).toBe('old')
      expect(readdirSync(d).sort()).toEqual(['in.txt', 'out.txt'])
    })
  }

  test('the final fsync fails: OUT left as it was, and said; the directory fsync fails after the rename: OUT replaced, and said', async () => {
    const eio = () => {
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })
    }
    const d = dir()
    const out = join(d, 'out.txt')
    writeFileSync(out, 'old')
    const early = { ...recording(), fsync: eio }
    const first = openDestination(out, null, { calls: early })
    first.write(bytes(10))
    await first.settle()
    let err = (() => {
      try {
        first.commit()
      } catch (e) {
        return e as Error
      }
    })()
    first.abort()
    expect(err).toBeInstanceOf(OutputError)
    expect(err?.message).toBe(`cannot write OUT ${out}: I/O error (EIO); OUT was left as it was`)
    expect(readFileSync(out, 'utf8')).toBe('old')
    expect(readdirSync(d)).toEqual(['out.txt'])

    const late = { ...recording(), fsyncDirectory: eio }
    const second = openDestination(out, null, { calls: late })
    second.write(bytes(10))
    await second.settle()
    err = (() => {
      try {
        second.commit()
      } catch (e) {
        return e as Error
      }
    })()
    expect(err?.message).toBe(`cannot write OUT ${out}: I/O error (EIO); OUT was replaced, but the rename may not survive a power loss: fsync of ${d} failed`)
    expect(readFileSync(out, 'utf8')).toBe('a'.repeat(10))
  })

  test('stdout and other descriptors written directly: no write-back, settle resolves at once', async () => {
    const calls = recording()
    const dest = openDestination(null, null, { calls, writer: { syncStep: 1 } })
    await dest.settle()
    dest.commit()
    expect(calls.log).toEqual([])
  })
})
