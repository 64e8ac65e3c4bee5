/**
 * Proof that the render core runs unchanged on Deno (Web standards only).
 * Not a bun test file; run it with:
 *
 *   node_modules/.bin/deno run --no-config test/render/deno-smoke.ts
 *
 * Exits non-zero (an uncaught error) if any assertion fails.
 */
import { MalformedPlaceholderError, MissingSecretError } from '../../src/errors.ts'
import { CORE_MIN_INPUT, renderCore, setRenderCoreEnabled } from '../../src/render/core.ts'
import { PositionRecorder } from '../../src/render/record.ts'
import { RecordReplayer } from '../../src/render/replay.ts'
import { renderStream, renderString } from '../../src/render/render.ts'
import { PlaceholderScanner } from '../../src/render/scanner.ts'

function assertEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual)
  const e = JSON.stringify(expected)
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`)
}

const enc = new TextEncoder()
const values = new Map([
  ['TOKEN', enc.encode('t0k3n')],
  ['EMOJI', enc.encode('🙂')],
])
const calls: string[][] = []

const out = await renderString('a=${SECRET:TOKEN} b=$${SECRET:TOKEN} c=${SECRET:EMOJI} $HOME ${{ x }}', async (names) => {
  calls.push(names)
  return values
})
assertEqual(out, 'a=t0k3n b=${SECRET:TOKEN} c=🙂 $HOME ${{ x }}', 'renderString output')
assertEqual(calls, [['TOKEN', 'EMOJI']], 'resolveAll calls')

let malformed: unknown
try {
  await renderString('ok\n  ${SECRET:bad}', async () => values)
} catch (err) {
  malformed = err
}
if (!(malformed instanceof MalformedPlaceholderError)) throw new Error('expected MalformedPlaceholderError')
assertEqual([malformed.line, malformed.column, malformed.code], [2, 3, 'malformed_placeholder'], 'malformed position')

const chunks = ['x ${SECR', 'ET:TOKEN} y ${SECRET:EM', 'OJI}']
const stream = renderStream(
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch))
      c.close()
    },
  }),
  async (name) => {
    const v = values.get(name)
    if (v === undefined) throw new MissingSecretError(name)
    return v
  },
)
const reader = stream.getReader()
let text = ''
const dec = new TextDecoder()
for (;;) {
  const { done, value } = await reader.read()
  if (done) break
  text += dec.decode(value, { stream: true })
}
assertEqual(text, 'x t0k3n y 🙂', 'renderStream output')

// The two passes renderFile runs: position records, then copying from them.
{
  const body = enc.encode('a=${SECRET:TOKEN} $${SECRET:X} ${SECRET:EMOJI}${SECRET:TOKEN}.')
  const batches: Int32Array[] = []
  const recorder = new PositionRecorder({ capacity: 2, onFull: (r) => batches.push(r.slice()) })
  const scanner = new PlaceholderScanner(recorder)
  scanner.push(body.subarray(0, 7))
  scanner.push(body.subarray(7))
  scanner.end()
  batches.push(recorder.pending().slice())
  const parts: string[] = []
  const replayer = new RecordReplayer(recorder.names, values, () => batches.shift(), (b) => parts.push(dec.decode(b, { stream: true })), {
    chunkSize: 5,
    outSize: 4,
  })
  for (let at = 0; at < body.length; at += 5) {
    const piece = body.subarray(at, at + 5)
    replayer.input.set(piece)
    replayer.push(piece.length)
  }
  replayer.end()
  assertEqual(parts.join(''), 'a=t0k3n ${SECRET:X} 🙂t0k3n.', 'record and replay output')
}

// The same on an input read in 64 KiB chunks, with the WebAssembly core (src/render/core.ts) started:
// the output must equal the JavaScript path's.
{
  const line = 'k=${SECRET:TOKEN} $${SECRET:X} ${SECRET:EMOJI}|${SECRET:TOKEN|sh};\n'
  const body = enc.encode(line.repeat(Math.ceil(200_000 / line.length)))
  const render = (core: boolean) => {
    setRenderCoreEnabled(core)
    const batches: Int32Array[] = []
    const recorder = new PositionRecorder({ capacity: 1000, onFull: (r) => batches.push(r.slice()) })
    const scanner = new PlaceholderScanner(recorder)
    const chunk = CORE_MIN_INPUT
    const buf = recorder.inputBuffer(chunk)
    for (let at = 0; at < body.length; at += chunk) {
      const piece = body.subarray(at, at + chunk)
      buf.set(piece)
      scanner.push(buf.subarray(0, piece.length))
    }
    scanner.end()
    batches.push(recorder.pending().slice())
    const parts: Uint8Array[] = []
    const replayer = new RecordReplayer(recorder.names, values, () => batches.shift(), (b) => parts.push(b.slice()), {
      chunkSize: chunk,
      outSize: 1 << 14,
      variants: recorder.variants,
    })
    for (let at = 0; at < body.length; at += chunk) {
      const piece = body.subarray(at, at + chunk)
      replayer.input.set(piece)
      replayer.push(piece.length)
    }
    replayer.end()
    setRenderCoreEnabled(true)
    return parts.map((p) => dec.decode(p, { stream: true })).join('')
  }
  const withCore = render(true)
  assertEqual(withCore.startsWith("k=t0k3n ${SECRET:X} 🙂|'t0k3n';\nk=t0k3n ${SECRET:X}"), true, 'core output start')
  assertEqual(withCore === render(false), true, 'core output equals the JavaScript path')
  assertEqual(renderCore(64)?.start(), true, 'the core starts on this runtime')
}

const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno
console.log(`deno-smoke: ok (${deno ? `Deno ${deno.version.deno}` : 'not Deno'})`)
