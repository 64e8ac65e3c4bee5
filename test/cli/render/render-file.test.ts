/**
 * Longer than the usual 300 lines: one table of render outcomes per input form
 * (file, pipe, spooled records, fallback), which read best side by side.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkFile, renderFile } from '../../../src/cli/render/render-file.ts'
import { CHUNK_SIZE } from '../../../src/cli/render/passes.ts'
import { MalformedPlaceholderError, MissingSecretError } from '../../../src/errors.ts'
import { resolverOf } from './helpers.ts'
import { substituteAll } from '../../../src/render/substituter.ts'
import { enc, errorOf, valueMap } from '../../render/helpers.ts'

const VALUES = valueMap({ A: 'alpha', B: 'beta', DOLLAR: '$' })
const FIXTURE = join(import.meta.dir, 'fixtures', 'render-stdio.ts')
const MIB = 1 << 20

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'render-file-test-'))
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

/** A fresh directory per test, so "no temporary file left" can be checked by listing it. */
function dir(): string {
  const d = mkdtempSync(join(root, 'case-'))
  return d
}

const resolver = () => resolverOf(VALUES)


/**
 * A body of at least `size` bytes made of whole lines with placeholders all
 * over, and one `${SECRET:A}` cut by each chunk boundary (passes.ts CHUNK_SIZE, the read size).
 */
function bigBody(size: number): Uint8Array {
  const line = 'key: value ${SECRET:A} and $HOME ${{ x }} $${SECRET:B} ${SECRET:B}\n'
  const parts: string[] = []
  let length = 0
  let boundary = CHUNK_SIZE
  while (length < size) {
    if (length + line.length > boundary - 5) {
      const filler = 'f'.repeat(boundary - 5 - length) + '${SECRET:A}\n'
      parts.push(filler)
      length += filler.length
      boundary += CHUNK_SIZE
    } else {
      parts.push(line)
      length += line.length
    }
  }
  return enc.encode(parts.join(''))
}

describe('renderFile with paths', () => {
  test('renders IN to OUT (mode 0600) and reports names and sizes', async () => {
    const d = dir()
    const input = join(d, 'in.yaml')
    const output = join(d, 'out.yaml')
    const body = 'a: ${SECRET:A}\nb: "${SECRET:B}" $${SECRET:A} ${SECRET:A}\n'
    const rendered = 'a: alpha\nb: "beta" ${SECRET:A} alpha\n'
    writeFileSync(input, body)
    const resolve = resolver()
    const result = await renderFile({ input, output, resolveAll: resolve })
    expect(readFileSync(output, 'utf8')).toBe(rendered)
    expect(result).toEqual({ names: ['A', 'B'], bytesIn: body.length, bytesOut: rendered.length })
    expect(resolve.calls).toEqual([['A', 'B']])
    expect(statSync(output).mode & 0o777).toBe(0o600)
    expect(readdirSync(d).sort()).toEqual(['in.yaml', 'out.yaml'])
  })

  test('a multi-MiB input with placeholders cut by every buffer boundary renders like the whole-buffer substituter', async () => {
    const d = dir()
    const body = bigBody(3 * MIB + 12345)
    writeFileSync(join(d, 'in'), body)
    const result = await renderFile({ input: join(d, 'in'), output: join(d, 'out'), resolveAll: resolver() })
    const expected = substituteAll(body, VALUES)
    expect(new Uint8Array(readFileSync(join(d, 'out')))).toEqual(expected)
    expect(result.bytesIn).toBe(body.length)
    expect(result.bytesOut).toBe(expected.length)
  })

  test('a missing secret: OUT is not created, nothing else is left behind', async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), '${SECRET:A} ${SECRET:NOPE} ${SECRET:ALSO_NOPE}')
    const resolve = resolver()
    const err = await errorOf(renderFile({ input: join(d, 'in'), output: join(d, 'out'), resolveAll: resolve }))
    expect(err).toBeInstanceOf(MissingSecretError)
    expect((err as MissingSecretError).names).toEqual(['NOPE', 'ALSO_NOPE'])
    expect(resolve.calls).toEqual([['A', 'NOPE', 'ALSO_NOPE']])
    expect(readdirSync(d)).toEqual(['in'])
  })

  test('a missing secret: a pre-existing OUT is left untouched', async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), 'x ${SECRET:NOPE}')
    writeFileSync(join(d, 'out'), 'previous good render')
    chmodSync(join(d, 'out'), 0o640)
    const before = statSync(join(d, 'out'))
    await errorOf(renderFile({ input: join(d, 'in'), output: join(d, 'out'), resolveAll: resolver() }))
    const after = statSync(join(d, 'out'))
    expect(readFileSync(join(d, 'out'), 'utf8')).toBe('previous good render')
    expect([after.mtimeMs, after.ino, after.mode]).toEqual([before.mtimeMs, before.ino, before.mode])
    expect(readdirSync(d).sort()).toEqual(['in', 'out'])
  })

  test('a malformed placeholder far into the file: nothing resolved, OUT untouched, exact position', async () => {
    const d = dir()
    const body = bigBody(2 * MIB + 100)
    // Put a malformed placeholder across the 2 MiB boundary, at the start of a line.
    const at = body.lastIndexOf(0x0a, 2 * MIB - 3) + 1
    body.set(enc.encode('${SECRET:bad}'), at)
    writeFileSync(join(d, 'in'), body)
    writeFileSync(join(d, 'out'), 'keep')
    const resolve = resolver()
    const err = await errorOf(renderFile({ input: join(d, 'in'), output: join(d, 'out'), resolveAll: resolve }))
    expect(err).toBeInstanceOf(MalformedPlaceholderError)
    const expectedLine = body.subarray(0, at).filter((b) => b === 0x0a).length + 1
    expect([(err as MalformedPlaceholderError).line, (err as MalformedPlaceholderError).column]).toEqual([expectedLine, 1])
    expect(resolve.calls).toEqual([])
    expect(readFileSync(join(d, 'out'), 'utf8')).toBe('keep')
    expect(readdirSync(d).sort()).toEqual(['in', 'out'])
  })

  test('a resolver that fails for another reason: OUT untouched, no temporary file', async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), '${SECRET:A}')
    writeFileSync(join(d, 'out'), 'keep')
    const err = await errorOf(
      renderFile({
        input: join(d, 'in'),
        output: join(d, 'out'),
        resolveAll: async () => {
          throw new Error('database down')
        },
      }),
    )
    expect((err as Error).message).toBe('database down')
    expect(readFileSync(join(d, 'out'), 'utf8')).toBe('keep')
    expect(readdirSync(d).sort()).toEqual(['in', 'out'])
  })

  test('a resolver whose map lacks a name: the pass-2 failure removes the temporary file', async () => {
    const d = dir()
    writeFileSync(join(d, 'in'), 'x'.repeat(3 * MIB) + '${SECRET:A}')
    writeFileSync(join(d, 'out'), 'keep')
    const err = await errorOf(renderFile({ input: join(d, 'in'), output: join(d, 'out'), resolveAll: async () => new Map() }))
    expect(err).toEqual(new MissingSecretError('A'))
    expect(readFileSync(join(d, 'out'), 'utf8')).toBe('keep')
    expect(readdirSync(d).sort()).toEqual(['in', 'out'])
  })

  test('records spooled to a file (tiny record buffer) and the scanning fallback render alike', async () => {
    const d = dir()
    const body = bigBody(2 * MIB + 4321)
    writeFileSync(join(d, 'in'), body)
    const expected = substituteAll(body, VALUES)
    for (const tuning of [{ recordCapacity: 3 }, { recordCapacity: 1000 }, { maxRecordId: 1 }]) {
      const tmp = dir()
      const prev = process.env.TMPDIR
      process.env.TMPDIR = tmp
      try {
        const resolve = resolver()
        const result = await renderFile({ input: join(d, 'in'), output: join(d, 'out'), resolveAll: resolve, tuning })
        expect(new Uint8Array(readFileSync(join(d, 'out')))).toEqual(expected)
        expect(result).toEqual({ names: ['A', 'B'], bytesIn: body.length, bytesOut: expected.length })
        expect(resolve.calls).toEqual([['A', 'B']])
      } finally {
        // Assigning undefined would set the string "undefined" for every later test.
        if (prev === undefined) delete process.env.TMPDIR
        else process.env.TMPDIR = prev
      }
      // The record spool is unlinked as soon as it is opened.
      expect(readdirSync(tmp)).toEqual([])
    }
  })

  test('format json: records, spooled records and the scanning fallback escape alike, across buffer boundaries', async () => {
    const d = dir()
    const values = valueMap({ A: 'a"b\\c\n', B: '42', Q: "it's" })
    const line = '{"k": "${SECRET:A} \\" ${SECRET:Q|sh}", "n": ${SECRET:B|raw}, "e": "$${SECRET:A}"},\n'
    const body = enc.encode(`[${line.repeat(Math.ceil((2 * MIB) / line.length))}null]`)
    writeFileSync(join(d, 'in.json'), body)
    const expected = substituteAll(body, values, 'json')
    const parsed = JSON.parse(new TextDecoder().decode(expected))
    expect(parsed[0]).toEqual({ k: `a"b\\c\n \" 'it'\\''s'`, n: 42, e: '${SECRET:A}' })
    for (const tuning of [undefined, { recordCapacity: 3 }, { maxRecordId: 1 }]) {
      const result = await renderFile({ input: join(d, 'in.json'), output: join(d, 'out.json'), resolveAll: async () => values, format: 'json', tuning })
      expect(new Uint8Array(readFileSync(join(d, 'out.json')))).toEqual(expected)
      expect(result.names).toEqual(['A', 'Q', 'B'])
    }
    // Raw mode on the same body: values as they are, the JSON broken.
    await renderFile({ input: join(d, 'in.json'), output: join(d, 'raw.json'), resolveAll: async () => values })
    expect(readFileSync(join(d, 'raw.json'), 'utf8')).toStartWith(`[{"k": "a"b\\c\n \\" 'it'\\''s'", "n": 42,`)
  })

  test('format json: a bare placeholder outside strings fails in pass 1, nothing resolved or written', async () => {
    const d = dir()
    writeFileSync(join(d, 'in.json'), '{"a": 1,\n "b": ${SECRET:A}}')
    const resolve = resolver()
    const err = await errorOf(renderFile({ input: join(d, 'in.json'), output: join(d, 'out.json'), resolveAll: resolve, format: 'json' }))
    expect(err).toBeInstanceOf(MalformedPlaceholderError)
    expect((err as MalformedPlaceholderError).message).toStartWith('malformed placeholder at line 2, column 7: a placeholder outside any JSON string')
    expect(resolve.calls).toEqual([])
    expect(readdirSync(d)).toEqual(['in.json'])
  })

  test('an input changed between the passes: an error, OUT untouched, no temporary file', async () => {
    const d = dir()
    const body = 'a: ${SECRET:A}\nb: ${SECRET:B}\n'
    writeFileSync(join(d, 'in'), body)
    writeFileSync(join(d, 'out'), 'keep')
    for (const edit of ['a: ${SECRET:B}\nb: ${SECRET:A}\n', 'b: ${SECRET:A}\n', body + 'more ${SECRET:A}']) {
      const err = await errorOf(
        renderFile({
          input: join(d, 'in'),
          output: join(d, 'out'),
          resolveAll: async (names) => {
            // Between pass 1 and pass 2, as another process might.
            writeFileSync(join(d, 'in'), edit)
            return new Map(names.map((n) => [n, VALUES.get(n)!]))
          },
        }),
      )
      expect((err as Error).message).toBe('the input changed while it was being rendered')
      expect(readFileSync(join(d, 'out'), 'utf8')).toBe('keep')
      expect(readdirSync(d).sort()).toEqual(['in', 'out'])
      writeFileSync(join(d, 'in'), body)
    }
  })

  test('a missing input is ENOENT, and nothing is resolved or written', async () => {
    const d = dir()
    const resolve = resolver()
    const err = await errorOf(renderFile({ input: join(d, 'nope'), output: join(d, 'out'), resolveAll: resolve }))
    expect((err as { code?: string }).code).toBe('ENOENT')
    expect(resolve.calls).toEqual([])
    expect(readdirSync(d)).toEqual([])
  })
})

describe('checkFile', () => {
  test('lists the names used, without resolving anything', () => {
    const d = dir()
    const body = '${SECRET:B} $${SECRET:C} ${SECRET:A} ${SECRET:B}'
    writeFileSync(join(d, 'in'), body)
    expect(checkFile(join(d, 'in'))).toEqual({
      names: ['B', 'A'],
      uses: [
        { line: 1, column: 1, name: 'B', escaping: 'raw' },
        { line: 1, column: 26, name: 'A', escaping: 'raw' },
        { line: 1, column: 38, name: 'B', escaping: 'raw' },
      ],
      bytesIn: body.length,
    })
  })

  test('format json: each placeholder with the escaping it gets there; a bare one outside strings is refused', () => {
    const d = dir()
    writeFileSync(join(d, 'in.json'), '{"a": "${SECRET:A}",\n "b": ${SECRET:B|raw}, "c": "${SECRET:A|sh}"}')
    expect(checkFile(join(d, 'in.json'), 'json').uses).toEqual([
      { line: 1, column: 8, name: 'A', escaping: 'json' },
      { line: 2, column: 7, name: 'B', escaping: 'raw' },
      { line: 2, column: 30, name: 'A', escaping: 'sh+json' },
    ])
    writeFileSync(join(d, 'bad.json'), '{"a":\n ${SECRET:A}}')
    expect(() => checkFile(join(d, 'bad.json'), 'json')).toThrow('line 2, column 2')
  })

  test('throws on a malformed placeholder with its position', () => {
    const d = dir()
    writeFileSync(join(d, 'in'), 'ok\n\n   ${SECRET:A-B}')
    expect(() => checkFile(join(d, 'in'))).toThrow('line 3, column 4')
  })
})

describe('renderFile on stdin and stdout (child process)', () => {
  function run(args: string[], stdin: 'pipe' | string, data?: Uint8Array, env: Record<string, string> = {}) {
    const proc = Bun.spawnSync({
      cmd: [process.execPath, FIXTURE, ...args],
      stdin: stdin === 'pipe' ? (data ?? new Uint8Array(0)) : Bun.file(stdin),
      env: { ...process.env, ...env },
    })
    return { code: proc.exitCode, stdout: new Uint8Array(proc.stdout), stderr: proc.stderr.toString() }
  }

  test('piped stdin (spooled) to stdout, multi-MiB, leaves no spool file behind', () => {
    const tmp = dir()
    const body = bigBody(2 * MIB + 777)
    const r = run(['render'], 'pipe', body, { TMPDIR: tmp })
    expect(r.code).toBe(0)
    expect(r.stdout).toEqual(substituteAll(body, VALUES))
    expect(JSON.parse(r.stderr)).toMatchObject({ names: ['A', 'B'], bytesIn: body.length })
    expect(readdirSync(tmp)).toEqual([])
  })

  test('stdin redirected from a file is read twice, not spooled', () => {
    const d = dir()
    const tmp = dir()
    writeFileSync(join(d, 'in'), 'a=${SECRET:A} d=${SECRET:DOLLAR}')
    const r = run(['render'], join(d, 'in'), undefined, { TMPDIR: tmp })
    expect([r.code, new TextDecoder().decode(r.stdout)]).toEqual([0, 'a=alpha d=$'])
    expect(readdirSync(tmp)).toEqual([])
  })

  test('stdin from a file whose start was already consumed renders only the rest', () => {
    const d = dir()
    writeFileSync(join(d, 'in'), 'SKIP\n${SECRET:A}\n  ${SECRET:bad}\n')
    writeFileSync(join(d, 'ok'), 'SKIP\n${SECRET:A}\n')
    const sh = (file: string) =>
      Bun.spawnSync({
        cmd: ['sh', '-c', `{ dd bs=5 count=1 of=/dev/null status=none; "$0" "$1" render; } < "$2"`, process.execPath, FIXTURE, file],
      })
    const ok = sh(join(d, 'ok'))
    expect([ok.exitCode, ok.stdout.toString()]).toEqual([0, 'alpha\n'])
    // Positions count from where the input began: line 2 of what was read.
    const bad = sh(join(d, 'in'))
    expect(bad.exitCode).toBe(3)
    expect(JSON.parse(bad.stderr.toString())).toMatchObject({ line: 2, column: 3 })
  })

  test('a missing secret on piped stdin: exit 3, nothing on stdout, no spool left', () => {
    const tmp = dir()
    const r = run(['render'], 'pipe', enc.encode('x'.repeat(3 * MIB) + '${SECRET:A} ${SECRET:NOPE}'), { TMPDIR: tmp })
    expect(r.code).toBe(3)
    expect(r.stdout.length).toBe(0)
    expect(JSON.parse(r.stderr)).toEqual({ code: 'missing_secret', message: 'missing secret: NOPE' })
    expect(readdirSync(tmp)).toEqual([])
  })

  test('a malformed placeholder on piped stdin: exit 3, nothing on stdout, position from the spool', () => {
    const tmp = dir()
    const body = bigBody(MIB + 5000)
    const at = body.lastIndexOf(0x0a, MIB + 2) + 1
    body.set(enc.encode('${SECRET:}'), at)
    const r = run(['render'], 'pipe', body, { TMPDIR: tmp })
    expect(r.code).toBe(3)
    expect(r.stdout.length).toBe(0)
    const line = body.subarray(0, at).filter((b) => b === 0x0a).length + 1
    expect(JSON.parse(r.stderr)).toMatchObject({ code: 'malformed_placeholder', line, column: 1 })
    expect(readdirSync(tmp)).toEqual([])
  })

  test('--check on piped stdin lists names with a running line count', () => {
    const r = run(['check'], 'pipe', enc.encode('${SECRET:B}\n${SECRET:A}'))
    expect([r.code, JSON.parse(r.stderr)]).toEqual([
      0,
      {
        names: ['B', 'A'],
        uses: [
          { line: 1, column: 1, name: 'B', escaping: 'raw' },
          { line: 2, column: 1, name: 'A', escaping: 'raw' },
        ],
        bytesIn: 23,
      },
    ])
    const bad = run(['check'], 'pipe', enc.encode('\n\n${SECRET:x}'))
    expect([bad.code, JSON.parse(bad.stderr)]).toEqual([3, expect.objectContaining({ line: 3, column: 1 })])
  })

  test('an OUT path from stdin: rename on success', () => {
    const d = dir()
    mkdirSync(join(d, 'sub'))
    const r = run(['render', '-', join(d, 'sub', 'out')], 'pipe', enc.encode('${SECRET:B}'))
    expect(r.code).toBe(0)
    expect(readFileSync(join(d, 'sub', 'out'), 'utf8')).toBe('beta')
    expect(readdirSync(join(d, 'sub'))).toEqual(['out'])
  })
})
