import { describe, expect, test } from 'bun:test'
import { NameTable, hashNameBytes, nameToBytes, nameToString } from '../../src/render/name-table.ts'

describe('NameTable', () => {
  test('finds names by their bytes inside a larger buffer', () => {
    const t = new NameTable<number>()
    t.setName('FOO', 1)
    t.setName('FOO_BAR', 2)
    const buf = nameToBytes('xxFOO_BARyy')
    expect(t.get(buf, 2, 9, hashNameBytes(buf, 2, 9))).toBe(2)
    expect(t.get(buf, 2, 5, hashNameBytes(buf, 2, 5))).toBe(1)
    expect(t.get(buf, 2, 6, hashNameBytes(buf, 2, 6))).toBeUndefined()
  })

  test('grows past its initial capacity and keeps every entry', () => {
    const t = new NameTable<number>(1)
    const names = Array.from({ length: 5000 }, (_, i) => `N${i}`)
    names.forEach((n, i) => t.setName(n, i))
    expect(t.size).toBe(5000)
    for (const [i, n] of names.entries()) {
      const b = nameToBytes(n)
      expect(t.get(b, 0, b.length, hashNameBytes(b))).toBe(i)
    }
  })

  test('a second set of the same name replaces the value without adding an entry', () => {
    const t = new NameTable<string>()
    t.setName('A', 'one')
    t.setName('A', 'two')
    const b = nameToBytes('A')
    expect([t.size, t.get(b, 0, 1, hashNameBytes(b))]).toEqual([1, 'two'])
  })

  test('colliding hashes are told apart by the bytes', () => {
    const t = new NameTable<string>()
    const a = nameToBytes('AAA')
    const b = nameToBytes('BBB')
    // Force the same (wrong) hash for both: lookups must still compare bytes.
    t.set(a, 0, 3, 7, 'a')
    t.set(b, 0, 3, 7, 'b')
    expect([t.get(a, 0, 3, 7), t.get(b, 0, 3, 7), t.get(nameToBytes('CCC'), 0, 3, 7)]).toEqual(['a', 'b', undefined])
  })

  test('keys are copied: reusing the caller buffer does not change them', () => {
    const t = new NameTable<number>()
    const buf = nameToBytes('KEY')
    const h = hashNameBytes(buf)
    t.set(buf, 0, 3, h, 1)
    buf.fill(0x41)
    expect(t.get(nameToBytes('KEY'), 0, 3, h)).toBe(1)
  })

  test('nameToString and nameToBytes round-trip ASCII names', () => {
    const b = nameToBytes('ABC_123')
    expect(nameToString(b, 0, b.length)).toBe('ABC_123')
  })
})
