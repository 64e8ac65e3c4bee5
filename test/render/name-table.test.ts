import { describe, expect, test } from 'bun:test'
import { NameIdTable, NameTable, hashNameBytes, nameToBytes, nameToString } from '../../src/render/name-table.ts'

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

describe('NameIdTable', () => {
  /** Random valid names of 1 to 128 bytes, many sharing long prefixes and differing in one byte anywhere. */
  function names(count: number): string[] {
    const out = new Set<string>()
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'
    let seed = 7
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed % n
    }
    const base = 'L'.repeat(128)
    while (out.size < count) {
      const len = 1 + rand(128)
      let s = base.slice(0, len).split('')
      s[rand(len)] = alphabet[rand(alphabet.length)]!
      if (rand(3) === 0) s = Array.from({ length: len }, () => alphabet[rand(alphabet.length)]!)
      s[0] = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[rand(26)]!
      out.add(s.join(''))
    }
    return [...out]
  }

  test('ids in insertion order; every name found at any offset of any buffer, others not', () => {
    const t = new NameIdTable()
    const list = names(3000)
    list.forEach((n, i) => {
      const b = nameToBytes(`..${n}}`)
      expect(t.get(b, 2, 2 + n.length, hashNameBytes(b, 2, 2 + n.length))).toBe(0)
      expect(t.add(b, 2, 2 + n.length, hashNameBytes(b, 2, 2 + n.length))).toBe(i + 1)
    })
    expect(t.size).toBe(list.length)
    for (const [i, n] of list.entries()) {
      const b = nameToBytes(`${'x'.repeat(i % 7)}${n}`)
      const s = i % 7
      expect(t.get(b, s, s + n.length, hashNameBytes(b, s, s + n.length))).toBe(i + 1)
      // One byte changed (last, first or middle): not found.
      for (const at of [n.length - 1, 0, n.length >> 1]) {
        const c = b.slice()
        c[s + at] = c[s + at] === 0x5a ? 0x59 : c[s + at]! + 1
        if (!list.includes(nameToString(c, s, s + n.length))) expect(t.get(c, s, s + n.length, hashNameBytes(c, s, s + n.length))).toBe(0)
      }
    }
  })

  test('every hash equal: lookups still compare the bytes', () => {
    const t = new NameIdTable()
    const list = names(300)
    list.forEach((n) => t.add(nameToBytes(n), 0, n.length, 42))
    for (const [i, n] of list.entries()) expect(t.get(nameToBytes(n), 0, n.length, 42)).toBe(i + 1)
    expect(t.get(nameToBytes('NOT_THERE_AT_ALL'), 0, 16, 42)).toBe(0)
  })
})
