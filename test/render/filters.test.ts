/**
 * The placeholder filters against independent references:
 * - json, url, base64: a table computed by Python's json.dumps,
 *   urllib.parse.quote and base64 (fixtures/filter-table.py wrote
 *   fixtures/filter-table.json; rerun it to regenerate);
 * - sh: what a real POSIX shell (`/bin/sh`) and Python's shlex.split make of
 *   our word, compared with the value and with shlex.quote's spelling;
 * - json also round-trips through JSON.parse.
 */
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  applyFilter,
  applyFilterToString,
  encodeBase64,
  encodeUrl,
  escapeJson,
  FILTER_NAMES,
  type FilterName,
  isFilterName,
  quoteShell,
} from '../../src/render/filters.ts'
import { bytes, dec } from './helpers.ts'

interface Row {
  value: string
  json: string
  url: string
  base64: string
  shlex: string
}
const TABLE: Row[] = JSON.parse(readFileSync(join(import.meta.dir, 'fixtures', 'filter-table.json'), 'utf8'))
const str = (f: (v: Uint8Array) => Uint8Array, value: string) => dec.decode(f(bytes(value)))

describe('filters: known answers from Python', () => {
  test('the table is the one the script writes (245 rows, quotes, controls and U+2028 included)', () => {
    expect(TABLE.length).toBe(245)
    expect(TABLE.find((r) => r.value === '\u2028')?.json).toBe('\\u2028')
    expect(TABLE.find((r) => r.value === '\u0001')?.json).toBe('\\u0001')
  })

  test('json matches json.dumps (without quotes, U+2028/U+2029 escaped) and parses back to the value', () => {
    for (const r of TABLE) {
      expect([r.value, str(escapeJson, r.value)]).toEqual([r.value, r.json])
      expect(JSON.parse(`"${str(escapeJson, r.value)}"`)).toBe(r.value)
    }
  })

  test('url matches urllib.parse.quote(value, safe="")', () => {
    for (const r of TABLE) expect([r.value, str(encodeUrl, r.value)]).toEqual([r.value, r.url])
  })

  test('base64 matches base64.b64encode', () => {
    for (const r of TABLE) expect([r.value, str(encodeBase64, r.value)]).toEqual([r.value, r.base64])
  })

  test('every byte 0-255 alone: json escapes exactly the controls, quote and backslash; url keeps exactly the unreserved', () => {
    for (let b = 0; b < 256; b++) {
      const one = new Uint8Array([b])
      const json = escapeJson(one)
      expect(json === one).toBe(b >= 0x20 && b !== 0x22 && b !== 0x5c)
      const url = encodeUrl(one)
      expect(url === one).toBe(/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)))
      if (url !== one) expect(dec.decode(url)).toBe(`%${b.toString(16).toUpperCase().padStart(2, '0')}`)
    }
  })
})

/** Values a shell can hold (no NUL: argv and shell words cannot carry one). */
const SHELL_VALUES = TABLE.map((r) => r.value).filter((v) => !v.includes('\u0000'))

describe('filters: sh against a real shell and shlex', () => {
  test('always one single-quoted word, `\'` as `\'\\\'\'`', () => {
    expect(str(quoteShell, 'abc')).toBe("'abc'")
    expect(str(quoteShell, '')).toBe("''")
    expect(str(quoteShell, "it's")).toBe("'it'\\''s'")
    expect(str(quoteShell, "''")).toBe("''\\'''\\'''")
  })

  test('/bin/sh reads our word back as the value, as it reads shlex.quote\'s', () => {
    // printf '%s\0' WORD... prints each word as the shell parsed it, NUL-separated.
    const words = SHELL_VALUES.map((v) => `${str(quoteShell, v)} ${TABLE.find((r) => r.value === v)!.shlex}`)
    const r = Bun.spawnSync(['/bin/sh', '-c', `printf '%s\\0' ${words.join(' ')}`])
    expect(r.exitCode).toBe(0)
    const parsed = dec.decode(r.stdout).split('\u0000').slice(0, -1)
    expect(parsed).toEqual(SHELL_VALUES.flatMap((v) => [v, v]))
  })

  const python = Bun.which('python3')
  test.skipIf(python === null)("Python's shlex.split reads our word back as the one value", () => {
    const ours = SHELL_VALUES.map((v) => str(quoteShell, v))
    const r = Bun.spawnSync([python!, '-c', 'import json, shlex, sys; print(json.dumps([shlex.split(w) for w in json.load(sys.stdin)]))'], {
      stdin: new TextEncoder().encode(JSON.stringify(ours)),
    })
    expect(r.exitCode).toBe(0)
    expect(JSON.parse(dec.decode(r.stdout))).toEqual(SHELL_VALUES.map((v) => [v]))
  })
})

describe('filters: the API', () => {
  test('the five filters by name, on bytes and on strings', () => {
    expect(FILTER_NAMES).toEqual(['raw', 'json', 'sh', 'url', 'base64'])
    const v = `a"b c'🙂`
    expect(FILTER_NAMES.map((f) => applyFilterToString(f, v))).toEqual(['a"b c\'🙂', 'a\\"b c\'🙂', "'a\"b c'\\''🙂'", 'a%22b%20c%27%F0%9F%99%82', 'YSJiIGMn8J+Zgg=='])
    expect(dec.decode(applyFilter('json', bytes('"')))).toBe('\\"')
  })

  test('an unchanged value is returned as it is, not copied; a changed one is a new array', () => {
    const safe = bytes('abc-XYZ_0.9~')
    for (const f of ['raw', 'json', 'url'] as const) expect(applyFilter(f, safe)).toBe(safe)
    const quoted = bytes('a"b')
    expect(applyFilter('json', quoted)).not.toBe(quoted)
    expect(dec.decode(quoted)).toBe('a"b')
  })

  test('a name that is not a filter is refused, including inherited property names', () => {
    for (const bad of ['JSON', 'toString', '__proto__', 'constructor', '', 'shell']) {
      expect(isFilterName(bad)).toBe(false)
      expect(() => applyFilter(bad as FilterName, bytes('x'))).toThrow(TypeError)
    }
  })
})
