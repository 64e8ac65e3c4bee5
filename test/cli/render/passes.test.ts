/**
 * Pass 1 over a regular file reads the next chunk on the thread pool while
 * it scans the last (src/cli/render/passes.ts, collectAhead): lengths at and
 * around the buffer size, and a failure with a read still running.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUFFER_SIZE } from '../../../src/cli/render/passes.ts'
import { renderFile } from '../../../src/cli/render/render-file.ts'
import { MalformedPlaceholderError } from '../../../src/errors.ts'
import { substituteAll } from '../../../src/render/substituter.ts'
import { enc, errorOf, valueMap } from '../../render/helpers.ts'
import { resolverOf } from './helpers.ts'

const VALUES = valueMap({ A: 'alpha' })

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

describe('pass 1 of a regular file, read ahead', () => {
  const lengths = [0, 1, BUFFER_SIZE - 1, BUFFER_SIZE, BUFFER_SIZE + 1, 2 * BUFFER_SIZE, 3 * BUFFER_SIZE + 7]
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

  test('a malformed placeholder in the first chunk while the second is being read: the error, nothing resolved, OUT untouched', async () => {
    const d = mkdtempSync(join(root, 'case-'))
    const input = body(3 * BUFFER_SIZE)
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
