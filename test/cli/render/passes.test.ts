/**
 * Pass 1 over a regular file reads each chunk into the core's memory
 * (src/cli/render/passes.ts, PositionRecorder.inputBuffer): lengths at and
 * around the chunk size, and a failure in the first chunk. Pass 1
 * of a pipe writes the spool on the thread pool (collectSpooled): an error's
 * position inside the chunk being written, and a full memory file system.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { closeSync, fstatSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CHUNK_SIZE, collectPass, turn } from '../../../src/cli/render/passes.ts'
import { locateInSource, type Source } from '../../../src/cli/render/source.ts'
import { openSpool } from '../../../src/cli/render/spool.ts'
import type { ScanHandler } from '../../../src/render/scanner.ts'
import { PositionRecorder } from '../../../src/render/record.ts'
import { renderFile } from '../../../src/cli/render/render-file.ts'
import { MalformedPlaceholderError } from '../../../src/errors.ts'
import { substituteAll } from '../../../src/render/substituter.ts'
import { enc, errorOf, valueMap } from '../../render/helpers.ts'
import { resolverOf } from './helpers.ts'

const VALUES = valueMap({ A: 'alpha' })
const FIXTURE = join(import.meta.dir, 'fixtures', 'render-stdio.ts')

function haveShm(): boolean {
  try {
    return statfsSync('/dev/shm').type === 0x01021994
  } catch {
    return false
  }
}

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'passes-test-'))
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

/** `length` bytes of lines with a placeholder each, cut anywhere. */
function body(length: number): Uint8Array {
  const line = 'k: ${SECRET:A} $${SECRET:A}\n'
  return enc.encode(line.repeat(Math.ceil(length / line.length) + 1).slice(0, length))
}

/** Whole lines of {@link body}, about `length` bytes. */
function lines(length: number): Uint8Array {
  const b = body(length)
  return b.subarray(0, b.lastIndexOf(0x0a) + 1)
}

describe('pass 1 of a regular file, read into the core', () => {
  const lengths = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE + 7]
  for (const length of lengths) {
    test(`an input of ${length} bytes renders like the whole-buffer substituter`, async () => {
      const d = mkdtempSync(join(root, 'case-'))
      // Cut at a line end so the input stays well formed.
      let input = body(length)
      const lastNewline = input.lastIndexOf(0x0a)
      if (length > 40) input = enc.encode(new TextDecoder().decode(input.subarray(0, lastNewline + 1)).padEnd(length, 'x'))
      else input = enc.encode('x'.repeat(length))
      expect(input.length).toBe(length)
      writeFileSync(join(d, 'in'), input)
      const result = await renderFile({ input: join(d, 'in'), output: join(d, 'out'), resolveAll: resolverOf(VALUES) })
      const expected = substituteAll(input, VALUES)
      expect(new Uint8Array(readFileSync(join(d, 'out')))).toEqual(expected)
      expect(result.bytesIn).toBe(length)
    })
  }

  test('a malformed placeholder in the first of several chunks: the error, nothing resolved, OUT untouched', async () => {
    const d = mkdtempSync(join(root, 'case-'))
    const input = body(3 * CHUNK_SIZE)
    input.set(enc.encode('\n${SECRET:bad}\n'), 1000)
    writeFileSync(join(d, 'in'), input)
    writeFileSync(join(d, 'out'), 'keep')
    const resolve = resolverOf(VALUES)
    const err = await errorOf(renderFile({ input: join(d, 'in'), output: join(d, 'out'), resolveAll: resolve }))
    expect(err).toBeInstanceOf(MalformedPlaceholderError)
    expect((err as MalformedPlaceholderError).column).toBe(1)
    expect(resolve.calls).toEqual([])
    expect(readFileSync(join(d, 'out'), 'utf8')).toBe('keep')
    expect(readdirSync(d).sort()).toEqual(['in', 'out'])
  })
})

describe('pass 1 of a file that one buffer holds', () => {
  test('a file that grew after its size was taken is read to its end', async () => {
    const d = mkdtempSync(join(root, 'case-'))
    const input = lines(100_000)
    writeFileSync(join(d, 'in'), input)
    const fd = openSync(join(d, 'in'), 'r')
    try {
      // The size as it was at open, before the file grew to 100 kB.
      const source: Source = { fd, replayFd: fd, replayStart: 0, spoolFd: -1, length: 0, file: null, size: 10, checkUnchanged() {}, close() {} }
      const recorder = new PositionRecorder({ onFull: () => {} })
      await collectPass(source, new Uint8Array(11), recorder, CHUNK_SIZE)
      expect(source.length).toBe(input.length)
      expect([...recorder.names]).toEqual(['A'])
    } finally {
      closeSync(fd)
    }
  })

  test('values far longer than their placeholders: an output many times the small input is written whole', async () => {
    const d = mkdtempSync(join(root, 'case-'))
    const input = lines(4096)
    const long = valueMap({ A: 'v'.repeat(50_000) })
    writeFileSync(join(d, 'in'), input)
    const result = await renderFile({ input: join(d, 'in'), output: join(d, 'out'), resolveAll: resolverOf(long) })
    const expected = substituteAll(input, long)
    expect(expected.length).toBeGreaterThan(4 * 1024 * 1024)
    expect(result.bytesOut).toBe(expected.length)
    expect(new Uint8Array(readFileSync(join(d, 'out')))).toEqual(expected)
  })
})

describe('pass 1 of a pipe, the spool written in the background', () => {
  test('a malformed placeholder in the middle of the chunk being spooled: its exact position, nothing on stdout, no spool left', () => {
    const tmp = mkdtempSync(join(root, 'tmp-'))
    const input = body(3 * CHUNK_SIZE)
    // Far from a chunk boundary: counting its line needs the bytes of the chunk whose write is running.
    const at = input.lastIndexOf(0x0a, CHUNK_SIZE + CHUNK_SIZE / 2) + 1
    input.set(enc.encode('${SECRET:}'), at)
    const proc = Bun.spawnSync({ cmd: [process.execPath, FIXTURE, 'render'], stdin: input, env: { ...process.env, TMPDIR: tmp } })
    expect(proc.exitCode).toBe(3)
    expect(proc.stdout.length).toBe(0)
    const line = input.subarray(0, at).filter((b) => b === 0x0a).length + 1
    expect(JSON.parse(proc.stderr.toString())).toMatchObject({ code: 'malformed_placeholder', line, column: 1 })
    expect(readdirSync(tmp)).toEqual([])
  })

  test('a position counted while the chunk holding it is being written to the spool: the chunk is in the spool first', async () => {
    const d = mkdtempSync(join(root, 'case-'))
    const input = lines(3 * CHUNK_SIZE)
    writeFileSync(join(d, 'in'), input)
    const fd = openSync(join(d, 'in'), 'r')
    const spool = openSpool(d)
    const source: Source = { fd, replayFd: spool, replayStart: 0, spoolFd: spool, length: 0, file: null, size: -1, checkUnchanged() {}, close() {} }
    // Counts input bytes; at the first placeholder 200 bytes into the second chunk, asks where it is (as an error would), right after its chunk's write began.
    let seen = 0
    let asked: { offset: number; at: { line: number; column: number } } | undefined
    const handler: ScanHandler = {
      literal: (_b, start, end) => void (seen += end - start),
      placeholder(_b, start, _end, _hash, _escaping, after) {
        if (asked === undefined && seen > CHUNK_SIZE + 200) asked = { offset: seen, at: locateInSource(source, seen) }
        seen += after - (start - 9)
      },
      escape: () => void (seen += 1),
    }
    // Each spool write lands only after a turn of the event loop: later than any position is counted.
    const slowWrite = async (f: number, bytes: Uint8Array, position: number) => {
      await turn()
      writeSync(f, bytes, 0, bytes.length, position)
    }
    try {
      await collectPass(source, new Uint8Array(CHUNK_SIZE), handler, 1 << 30, 'raw', slowWrite)
    } finally {
      closeSync(fd)
      closeSync(source.spoolFd)
    }
    expect(asked).toBeDefined()
    const before = input.subarray(0, asked!.offset)
    const line = before.filter((b) => b === 0x0a).length + 1
    expect(asked!.at).toEqual({ line, column: asked!.offset - before.lastIndexOf(0x0a) })
  })

  test.skipIf(!haveShm())('a spool write that fails with ENOSPC in the background moves the spool to the temporary directory, every byte kept', async () => {
    const d = mkdtempSync(join(root, 'case-'))
    const input = lines(2 * CHUNK_SIZE + 12345)
    writeFileSync(join(d, 'in'), input)
    const fd = openSync(join(d, 'in'), 'r')
    // /dev/full: every write fails with ENOSPC, as on a full /dev/shm.
    const full = openSync('/dev/full', 'r+')
    const source: Source = { fd, replayFd: full, replayStart: 0, spoolFd: full, length: 0, file: null, size: -1, checkUnchanged() {}, close() {} }
    const prev = process.env.TMPDIR
    delete process.env.TMPDIR
    try {
      await collectPass(source, new Uint8Array(CHUNK_SIZE), new PositionRecorder({ onFull: () => {} }), 1 << 30)
    } finally {
      if (prev !== undefined) process.env.TMPDIR = prev
      closeSync(fd)
    }
    try {
      expect(source.spoolFd).not.toBe(full)
      expect(source.replayFd).toBe(source.spoolFd)
      expect(() => fstatSync(full)).toThrow() // the old spool was closed
      expect(source.length).toBe(input.length)
      const back = new Uint8Array(input.length + 10)
      let n = 0
      for (let k; (k = readSync(source.spoolFd, back, n, back.length - n, n)) > 0; ) n += k
      expect(n).toBe(input.length)
      expect(new Uint8Array(back.subarray(0, n))).toEqual(new Uint8Array(input))
      expect(fstatSync(source.spoolFd).nlink).toBe(0)
    } finally {
      closeSync(source.spoolFd)
    }
  })
})
