/**
 * Writes of a temporary OUT on the thread pool (src/cli/render/background-writer.ts):
 * every piece lands at its own position whatever order the writes finish in,
 * a piece with no free buffer or too large for one is written at once, short
 * writes are finished, and the first error is kept for the commit.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BackgroundWriter, POOL_CALLS, type WriterCalls } from '../../../src/cli/render/background-writer.ts'
import { turn } from '../../../src/cli/render/passes.ts'

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'background-writer-'))
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

let serial = 0
function file(): { fd: number; path: string; close: () => void } {
  const path = join(root, `f${serial++}`)
  const fd = openSync(path, 'w+', 0o600)
  return { fd, path, close: () => closeSync(fd) }
}

const text = (s: string) => new TextEncoder().encode(s)

/** pwrite calls held until `release` runs them, in the order given; each writes synchronously then. */
function held(): WriterCalls & { pending: (() => void)[]; calls: number } {
  const pending: (() => void)[] = []
  const self = {
    pending,
    calls: 0,
    pwrite(fd: number, bytes: Uint8Array, position: number) {
      self.calls++
      // The writer may reuse its buffer only after this resolves: copy nothing, write later.
      return new Promise<number>((resolve) => pending.push(() => resolve(writeSync(fd, bytes, 0, bytes.length, position))))
    },
    fdatasync: () => Promise.resolve(),
  }
  return self
}

describe('BackgroundWriter', () => {
  test('pieces finishing in reverse order land at their own positions; the caller may reuse its bytes at once', async () => {
    const f = file()
    const calls = held()
    // Each piece fills a buffer, so each is written on its own.
    const w = new BackgroundWriter(f.fd, { calls, buffers: 4, bufferSize: 3 })
    const piece = new Uint8Array(3)
    for (const s of ['abc', 'def', 'ghi']) {
      piece.set(text(s))
      w.write(piece)
    }
    expect(w.busy).toBe(true)
    for (const run of calls.pending.splice(0).reverse()) run()
    await w.settle()
    w.check()
    expect(w.busy).toBe(false)
    expect(readFileSync(f.path, 'utf8')).toBe('abcdefghi')
    f.close()
  })

  test('no free buffer: the piece is written at once, at its position; buffers are reused after their write finished', async () => {
    const f = file()
    const calls = held()
    const w = new BackgroundWriter(f.fd, { calls, buffers: 2, bufferSize: 2 })
    w.write(text('11'))
    w.write(text('22'))
    w.write(text('33')) // both buffers in flight: synchronous
    expect(calls.calls).toBe(2)
    expect(readFileSync(f.path, 'utf8')).toBe('\0\0\0\x0033')
    for (const run of calls.pending.splice(0)) run()
    await turn()
    w.write(text('44')) // a buffer is free again
    expect(calls.calls).toBe(3)
    for (const run of calls.pending.splice(0)) run()
    await w.settle()
    expect(readFileSync(f.path, 'utf8')).toBe('11223344')
    f.close()
  })

  test('small pieces are gathered into one buffer and written together, at the first one\'s position', async () => {
    const f = file()
    const calls = held()
    const w = new BackgroundWriter(f.fd, { calls, bufferSize: 8 })
    w.write(text('ab'))
    w.write(text('cd'))
    w.write(text('efg'))
    expect(calls.calls).toBe(0)
    w.write(text('hij')) // does not fit: the first three go out as one write
    expect(calls.calls).toBe(1)
    const settled = w.settle() // the last buffer goes out too
    expect(calls.calls).toBe(2)
    for (const run of calls.pending.splice(0)) run()
    await settled
    expect(readFileSync(f.path, 'utf8')).toBe('abcdefghij')
    f.close()
  })

  test('a piece larger than a buffer is written at once', async () => {
    const f = file()
    const calls = held()
    const w = new BackgroundWriter(f.fd, { calls, bufferSize: 4 })
    w.write(text('0123456789'))
    expect(calls.calls).toBe(0)
    await w.settle()
    expect(readFileSync(f.path, 'utf8')).toBe('0123456789')
    f.close()
  })

  test('a short write is finished by another at the rest of the range', async () => {
    const f = file()
    const positions: number[] = []
    const calls: WriterCalls = {
      pwrite(fd, bytes, position) {
        positions.push(position)
        const n = Math.min(2, bytes.length)
        return Promise.resolve(writeSync(fd, bytes, 0, n, position))
      },
      fdatasync: () => Promise.resolve(),
    }
    const w = new BackgroundWriter(f.fd, { calls })
    w.write(text('abcde'))
    await w.settle()
    w.check()
    expect(positions).toEqual([0, 2, 4])
    expect(readFileSync(f.path, 'utf8')).toBe('abcde')
    f.close()
  })

  test('a failed write (ENOSPC) is kept: check and the next write throw it, nothing more is written', async () => {
    const f = file()
    const calls: WriterCalls = {
      pwrite: () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })),
      fdatasync: () => Promise.resolve(),
    }
    const w = new BackgroundWriter(f.fd, { calls })
    w.write(text('abc'))
    await w.settle()
    expect(() => w.write(text('def'))).toThrow('ENOSPC')
    await w.settle()
    expect(() => w.check()).toThrow('ENOSPC')
    expect(readFileSync(f.path, 'utf8')).toBe('')
    f.close()
  })

  test('a failed background fdatasync (EIO) is kept for check', async () => {
    const f = file()
    const w = new BackgroundWriter(f.fd, {
      calls: { pwrite: POOL_CALLS.pwrite, fdatasync: () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })) },
      syncStep: 4,
    })
    w.write(text('abcd'))
    await w.settle()
    expect(() => w.check()).toThrow('EIO')
    f.close()
  })

  test('the real pool calls: many pieces, the file holds them in order; wipe zeroes the buffers', async () => {
    const f = file()
    const w = new BackgroundWriter(f.fd, { bufferSize: 1024, syncStep: 4096 })
    let expected = ''
    for (let i = 0; i < 500; i++) {
      const s = `${i}:${'x'.repeat(i % 700)}\n`
      expected += s
      w.write(text(s))
      if (i % 50 === 0) await turn()
    }
    await w.settle()
    w.check()
    expect(readFileSync(f.path, 'utf8')).toBe(expected)
    expect(w.bytesWritten).toBe(expected.length)
    w.wipe()
    const buffers = (w as unknown as { all: Uint8Array[] }).all
    expect(buffers.some((b) => b.length > 0)).toBe(true)
    expect(buffers.every((b) => b.every((x) => x === 0))).toBe(true)
    f.close()
  })
})
