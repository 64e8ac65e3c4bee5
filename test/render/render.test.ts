import { describe, expect, test } from 'bun:test'
import { MalformedPlaceholderError, MissingSecretError } from '../../src/errors.ts'
import { renderStream, renderString, type ResolveAll, type ResolveOne } from '../../src/render/render.ts'
import { dec, enc, errorOf, readStream, valueMap } from './helpers.ts'

const STORE = valueMap({ GITHUB_TOKEN: 'ghp_example', DB_PASSWORD: 'pa$$word', EMOJI: '🙂' })

/** A ResolveAll over STORE that records its calls and refuses unknown names, all of them at once. */
function resolverAll(): ResolveAll & { calls: string[][] } {
  const calls: string[][] = []
  const fn = async (names: string[]) => {
    calls.push(names)
    const missing = names.filter((n) => !STORE.has(n))
    if (missing.length > 0) throw new MissingSecretError(missing)
    return new Map(names.map((n) => [n, STORE.get(n)!]))
  }
  return Object.assign(fn, { calls })
}

function resolverOne(): ResolveOne & { calls: string[] } {
  const calls: string[] = []
  const fn = async (name: string) => {
    calls.push(name)
    const v = STORE.get(name)
    if (v === undefined) throw new MissingSecretError(name)
    return v
  }
  return Object.assign(fn, { calls })
}

function streamOf(...chunks: Array<string | Uint8Array>): ReadableStream<Uint8Array> & { cancelled: unknown[] } {
  const cancelled: unknown[] = []
  const s = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(typeof ch === 'string' ? enc.encode(ch) : ch)
      c.close()
    },
    cancel(reason) {
      cancelled.push(reason)
    },
  })
  return Object.assign(s, { cancelled })
}

async function readAll(s: ReadableStream<Uint8Array>): Promise<string> {
  return dec.decode(await readStream(s))
}


describe('renderString', () => {
  test('resolves all distinct names in one call, in first-seen order, then substitutes', async () => {
    const resolve = resolverAll()
    const out = await renderString(
      'token: ${SECRET:GITHUB_TOKEN}\npass: "${SECRET:DB_PASSWORD}"\nagain: ${SECRET:GITHUB_TOKEN} ${SECRET:EMOJI}',
      resolve,
    )
    expect(out).toBe('token: ghp_example\npass: "pa$$word"\nagain: ghp_example 🙂')
    expect(resolve.calls).toEqual([['GITHUB_TOKEN', 'DB_PASSWORD', 'EMOJI']])
  })

  test('a body without placeholders still calls resolveAll once, with no names', async () => {
    const resolve = resolverAll()
    expect(await renderString('plain $HOME ${x} $${SECRET:A}', resolve)).toBe('plain $HOME ${x} ${SECRET:A}')
    expect(resolve.calls).toEqual([[]])
  })

  test('a malformed placeholder throws before anything is resolved', async () => {
    const resolve = resolverAll()
    const err = await errorOf(renderString('${SECRET:GITHUB_TOKEN}\n  ${SECRET:github}', resolve))
    expect(err).toBeInstanceOf(MalformedPlaceholderError)
    expect([(err as MalformedPlaceholderError).line, (err as MalformedPlaceholderError).column]).toEqual([2, 3])
    expect(resolve.calls).toEqual([])
  })

  test('missing secrets: the resolver error (listing all of them) is what the caller gets', async () => {
    const resolve = resolverAll()
    const err = await errorOf(renderString('${SECRET:NOPE} ${SECRET:GITHUB_TOKEN} ${SECRET:ALSO_NOPE}', resolve))
    expect(err).toBeInstanceOf(MissingSecretError)
    expect((err as MissingSecretError).names).toEqual(['NOPE', 'ALSO_NOPE'])
  })

  test('a resolver map that lacks a name makes the render fail with MissingSecretError for it', async () => {
    const err = await errorOf(renderString('${SECRET:GITHUB_TOKEN}', async () => new Map()))
    expect(err).toEqual(new MissingSecretError('GITHUB_TOKEN'))
  })

  test('escapes render as text and are not resolved', async () => {
    const resolve = resolverAll()
    expect(await renderString('$${SECRET:GITHUB_TOKEN} $$${SECRET:GITHUB_TOKEN}', resolve)).toBe(
      '${SECRET:GITHUB_TOKEN} $${SECRET:GITHUB_TOKEN}',
    )
    expect(resolve.calls).toEqual([[]])
  })

  test('columns in errors count UTF-8 bytes', async () => {
    const err = await errorOf(renderString('héllo ${SECRET:}', resolverAll()))
    expect((err as MalformedPlaceholderError).column).toBe(8)
  })

  test('a byte order mark at the start of the body or of a value is kept, not stripped', async () => {
    const resolve: ResolveAll = async () => valueMap({ BOM: '\ufeffv' })
    expect(await renderString('\ufeffa ${SECRET:BOM}', resolve)).toBe('\ufeffa \ufeffv')
    expect(await renderString('${SECRET:BOM}', resolve)).toBe('\ufeffv')
  })

  test('format json: JSON-escapes values inside strings and refuses a bare placeholder outside', async () => {
    const resolve: ResolveAll = async () => valueMap({ Q: 'say "hi"' })
    expect(await renderString('{"q": "${SECRET:Q}"}', resolve, { format: 'json' })).toBe('{"q": "say \\"hi\\""}')
    expect(await renderString('{"q": "${SECRET:Q}"}', resolve)).toBe('{"q": "say "hi""}')
    const err = await errorOf(renderString('{"q": ${SECRET:Q}}', resolve, { format: 'json' }))
    expect(err).toBeInstanceOf(MalformedPlaceholderError)
    expect((err as MalformedPlaceholderError).column).toBe(7)
  })
})

describe('renderStream', () => {
  test('substitutes across chunk boundaries and resolves each name once, lazily', async () => {
    const resolve = resolverOne()
    const input = streamOf('a ${SECRET:GITH', 'UB_TOKEN} b $', '${SECRET:X} ${SECRET:GITHUB_TOKEN}', ' ${SECRET:EMOJI}')
    expect(await readAll(renderStream(input, resolve))).toBe('a ghp_example b ${SECRET:X} ghp_example 🙂')
    expect(resolve.calls).toEqual(['GITHUB_TOKEN', 'EMOJI'])
  })

  test('an empty input gives an empty output and resolves nothing', async () => {
    const resolve = resolverOne()
    expect(await readAll(renderStream(streamOf(), resolve))).toBe('')
    expect(resolve.calls).toEqual([])
  })

  test('a missing secret errors the stream with MissingSecretError and cancels the input', async () => {
    const input = streamOf('ok ${SECRET:GITHUB_TOKEN}\n', 'then ${SECRET:NOPE}', ' more')
    const err = await errorOf(readAll(renderStream(input, resolverOne())))
    expect(err).toEqual(new MissingSecretError('NOPE'))
    expect(input.cancelled).toEqual([err])
  })

  test('a malformed placeholder errors the stream with its position', async () => {
    const input = streamOf('line 1\n', 'line 2 ${SECRET:', 'bad}')
    const err = await errorOf(readAll(renderStream(input, resolverOne())))
    expect(err).toBeInstanceOf(MalformedPlaceholderError)
    expect([(err as MalformedPlaceholderError).line, (err as MalformedPlaceholderError).column]).toEqual([2, 8])
  })

  test('an unterminated placeholder at the end of the stream is an error, not passed through', async () => {
    const err = await errorOf(readAll(renderStream(streamOf('x ${SECRET:GITHUB_TOKEN'), resolverOne())))
    expect(err).toBeInstanceOf(MalformedPlaceholderError)
  })

  test('the first problem in input order wins, whatever the chunking', async () => {
    const body = '${SECRET:NOPE} ${SECRET:bad}'
    for (let i = 0; i <= body.length; i++) {
      const err = await errorOf(readAll(renderStream(streamOf(body.slice(0, i), body.slice(i)), resolverOne())))
      expect(err).toEqual(new MissingSecretError('NOPE'))
    }
  })

  test('output chunks belong to the consumer: changing them changes nothing else', async () => {
    const value = enc.encode('VALUE')
    const out = renderStream(streamOf('${SECRET:V}|', '${SECRET:V}|'), async () => value)
    const reader = out.getReader()
    const first = (await reader.read()).value!
    first.fill(0)
    const second = (await reader.read()).value!
    expect([dec.decode(second), dec.decode(value)]).toEqual(['VALUE|', 'VALUE'])
  })

  test('cancelling the output cancels the input', async () => {
    const input = streamOf('a', 'b', 'c')
    const reader = renderStream(input, resolverOne()).getReader()
    await reader.read()
    await reader.cancel('enough')
    expect(input.cancelled).toEqual(['enough'])
  })

  test('binary input passes through byte for byte', async () => {
    const bin = new Uint8Array(4096)
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 37) & 0xff
    expect(await readStream(renderStream(streamOf(bin.slice(0, 1000), bin.slice(1000)), resolverOne()))).toEqual(bin)
  })
})
