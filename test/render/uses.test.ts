import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { PlaceholderScanner, type RenderFormat } from '../../src/render/scanner.ts'
import { UseCollector } from '../../src/render/uses.ts'
import { cases } from '../helpers/depth.ts'
import { referenceEscapings } from './reference.ts'
import { bytes, cut } from './helpers.ts'

function uses(chunks: Uint8Array[], format: RenderFormat) {
  const c = new UseCollector()
  const s = new PlaceholderScanner(c, { format })
  for (const chunk of chunks) s.push(chunk)
  s.end()
  return { names: [...c.names], uses: [...c.uses] }
}

describe('UseCollector (render --check)', () => {
  test('every placeholder with its line, byte column, name and escaping; escapes are not uses', () => {
    const body = bytes('{\n  "a": "${SECRET:A}",\n  "é": "$${SECRET:B} ${SECRET:B|sh}",\n  "n": ${SECRET:N|raw}, "u": "${SECRET:A|url}"\n}')
    expect(uses([body], 'json')).toEqual({
      names: ['A', 'B', 'N'],
      uses: [
        { line: 2, column: 9, name: 'A', escaping: 'json' },
        { line: 3, column: 23, name: 'B', escaping: 'sh+json' },
        { line: 4, column: 8, name: 'N', escaping: 'raw' },
        { line: 4, column: 31, name: 'A', escaping: 'url' },
      ],
    })
    expect(uses([body], 'raw').uses.map((u) => u.escaping)).toEqual(['raw', 'sh', 'raw', 'url'])
  })

  test('positions and escapings agree with the reference and with the whole input, whatever the chunking', () => {
    const piece = fc.constantFrom('"', '\\', '\n', 'é', ' ', 'x', '$', '${SECRET:A}', '${SECRET:B|sh}', '$${SECRET:C}', '${SECRET:D|raw}', '${SECRET:A|json}')
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom<RenderFormat>('raw', 'json'), (parts, offsets, format) => {
        const body = bytes(parts.join(''))
        let expected: string[]
        try {
          expected = referenceEscapings(body, format)
        } catch {
          return // refused by the JSON context: --check reports the error instead
        }
        const whole = uses([body], format)
        expect(whole.uses.map((u) => u.escaping)).toEqual(expected)
        // Each reported position is where that placeholder's `$` is.
        const lines = new TextDecoder().decode(body).split('\n').map((l) => bytes(l))
        for (const u of whole.uses) expect(new TextDecoder().decode(lines[u.line - 1]!.subarray(u.column - 1)).startsWith(`\${SECRET:${u.name}`)).toBe(true)
        expect(uses(cut(body, offsets.map((o) => o % (body.length + 1)).sort((a, b) => a - b)), format)).toEqual(whole)
      }),
      { numRuns: cases(2_000) },
    )
  })
})
