import { describe, expect, test } from 'bun:test'
import { renderString } from '../src/render/render.ts'
import { escapeUnsafeJson, escapeUnsafeText, hasUnsafeText, MAX_DESCRIPTION_CHARS, NAME_PATTERN, secretReference, UNSAFE_TEXT } from '../src/rules.ts'
import * as web from '../web/src/secret-rules.ts'

const hex = (c: number) => c.toString(16).padStart(4, '0')
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe('hasUnsafeText', () => {
  const unsafe = [
    ...range(0x00, 0x08),
    ...range(0x0a, 0x1f),
    ...range(0x7f, 0x9f),
    0x061c,
    0x200e,
    0x200f,
    ...range(0x202a, 0x202e),
    ...range(0x2066, 0x2069),
  ]
  test.each(unsafe.map((c) => [hex(c), c]))('refuses U+%s', (_, c) => {
    expect(hasUnsafeText(`a${String.fromCharCode(c)}b`)).toBe(true)
  })

  test.each(['', 'plain text', 'tab\there', 'é ü ß', 'עברית', 'العربية', '🔑 emoji', '\u00a0 no-break space', '\u200b zero width'])(
    'accepts %p',
    (text) => {
      expect(hasUnsafeText(text)).toBe(false)
    },
  )

  test('is stateless: the exported pattern has no global flag', () => {
    expect(UNSAFE_TEXT.flags).toBe('')
    expect(hasUnsafeText('\u202e')).toBe(true)
    expect(hasUnsafeText('\u202e')).toBe(true)
  })
})

describe('escapeUnsafeText', () => {
  test('writes every unsafe character as \\uXXXX and leaves the rest', () => {
    expect(escapeUnsafeText('a\u001b[2J\u009b\u202eb\tc é')).toBe('a\\u001b[2J\\u009b\\u202eb\tc é')
    expect(hasUnsafeText(escapeUnsafeText('\u0085\u2066\u0000x'))).toBe(false)
  })

  test('escapeUnsafeJson keeps the JSON value, pretty-printed or not, and leaves no unsafe character', () => {
    const value = { d: 'x\u0085\u202ey\u2069\u001b\n', n: ['\u200f'] }
    for (const json of [JSON.stringify(value), JSON.stringify(value, null, 2)]) {
      const escaped = escapeUnsafeJson(json)
      expect(JSON.parse(escaped)).toEqual(value)
      expect(hasUnsafeText(escaped.replaceAll('\n', ''))).toBe(false)
    }
  })
})

describe('the web UI uses the same rules', () => {
  test('its name pattern and limits are the server module’s very objects', () => {
    expect(web.NAME_PATTERN).toBe(NAME_PATTERN)
    expect(web.MAX_DESCRIPTION_CHARS).toBe(MAX_DESCRIPTION_CHARS)
  })

  test.each(['\u0085', '\u009b', '\u202e', '\u2066', '\u200f', '\u061c'])('checkDescription refuses U+%s like the server', (c) => {
    expect(web.checkDescription(`a${c}b`)).toBe('One line only: no line breaks, control characters or text-direction overrides.')
  })
})

describe('secretReference', () => {
  test('is the placeholder the renderer substitutes, for the shortest and the longest name', async () => {
    for (const name of ['A', `A${'B'.repeat(127)}`]) {
      expect(secretReference(name)).toBe(`\${SECRET:${name}}`)
      const rendered = await renderString(`x=${secretReference(name)};`, async (names) => new Map(names.map((n) => [n, new TextEncoder().encode(`value of ${n.length}`)])))
      expect(rendered).toBe(`x=value of ${name.length};`)
    }
  })
})
