/**
 * A large render into a pipe asks for a 1 MiB pipe buffer before pass 2,
 * and a large render from a pipe asks for one once its first 1 MiB is read
 * (src/cli/render/pipe-size.ts); a small one, and anything that is not a
 * pipe, is left as it is.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WIDE_PIPE, WIDEN_FROM, widenPipe } from '../../../src/cli/render/pipe-size.ts'

const FIXTURE = join(import.meta.dir, 'fixtures', 'render-stdio.ts')
const READER = join(import.meta.dir, 'fixtures', 'pipe-reader.ts')
const WRITER = join(import.meta.dir, 'fixtures', 'pipe-writer.ts')
const isLinux = process.platform === 'linux'

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pipe-size-test-'))
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

/** `render IN | reader`: what the reader got, and its pipe's size at the end. */
function renderIntoPipe(bytes: number): { bytes: number; pipe: number; expected: number } {
  const line = 'v: ${SECRET:A} and some literal text around it\n'
  const body = line.repeat(Math.ceil(bytes / line.length))
  const input = join(root, `in-${bytes}`)
  writeFileSync(input, body)
  const proc = Bun.spawnSync({ cmd: ['sh', '-c', '"$0" "$1" render "$2" | "$0" "$3"', process.execPath, FIXTURE, input, READER] })
  expect(proc.exitCode).toBe(0)
  const expected = body.length + (body.length / line.length) * ('alpha'.length - '${SECRET:A}'.length)
  return { ...JSON.parse(proc.stdout.toString()), expected }
}

const LINE = 'v: ${SECRET:A} and some literal text around it\n'

/** `writer IN | render > OUT`: the render's output, and the size of the pipe into it once the writer was done. */
function renderFromPipe(bytes: number): { out: string; pipe: number; expected: string } {
  const body = LINE.repeat(Math.ceil(bytes / LINE.length))
  const input = join(root, `from-${bytes}`)
  const out = join(root, `from-${bytes}.out`)
  const report = join(root, `from-${bytes}.pipe`)
  writeFileSync(input, body)
  const proc = Bun.spawnSync({ cmd: ['sh', '-c', '"$0" "$1" "$2" 2>"$5" | "$0" "$3" render > "$4"', process.execPath, WRITER, input, FIXTURE, out, report] })
  expect(proc.exitCode).toBe(0)
  return { out: readFileSync(out, 'utf8'), pipe: JSON.parse(readFileSync(report, 'utf8')).pipe, expected: body.replaceAll('${SECRET:A}', 'alpha') }
}

describe('the input pipe of a render', () => {
  test.skipIf(!isLinux)('an input longer than 1 MiB: the pipe holds 1 MiB, the output is whole', () => {
    const r = renderFromPipe(WIDE_PIPE + 4096)
    expect(r.out === r.expected).toBe(true)
    expect(r.pipe).toBe(WIDE_PIPE)
  })

  test.skipIf(!isLinux)('a shorter input: the pipe keeps its default size', () => {
    const r = renderFromPipe(WIDE_PIPE - 4096)
    expect(r.out === r.expected).toBe(true)
    expect(r.pipe).toBe(65536)
  })
})

describe('the output pipe of a render', () => {
  test.skipIf(!isLinux)('a render of at least WIDEN_FROM bytes into a pipe: the pipe holds 1 MiB, the output is whole', () => {
    const r = renderIntoPipe(WIDEN_FROM + 4096)
    expect(r.bytes).toBe(r.expected)
    expect(r.pipe).toBe(WIDE_PIPE)
  })

  test.skipIf(!isLinux)('a smaller render: the pipe keeps its default size', () => {
    const r = renderIntoPipe(64 << 10)
    expect(r.bytes).toBe(r.expected)
    expect(r.pipe).toBe(65536)
  })

  test('not a pipe (a regular file, a closed descriptor): nothing asked, null', async () => {
    const fd = openSync(join(root, 'plain'), 'w')
    try {
      expect(await widenPipe(fd)).toBeNull()
    } finally {
      closeSync(fd)
    }
    expect(await widenPipe(fd)).toBeNull()
  })
})
