import { describe, expect, test } from 'bun:test'
import { BufferedSink, CollectingSink } from '../../src/render/byte-sink.ts'
import { bytes, dec } from './helpers.ts'

function flushedTo(parts: string[]) {
  return (b: Uint8Array) => parts.push(dec.decode(b))
}

describe('BufferedSink', () => {
  test('coalesces small writes and flushes when full, in order', () => {
    const parts: string[] = []
    const sink = new BufferedSink(flushedTo(parts), 8)
    for (const s of ['abc', 'def', 'ghi', 'j']) sink.write(bytes(`<${s}>`), 1, 1 + s.length)
    sink.flush()
    expect(parts).toEqual(['abcdef', 'ghij'])
    expect(sink.bytesOut).toBe(10)
  })

  test('writes a large piece directly, after what is pending', () => {
    const parts: string[] = []
    const sink = new BufferedSink(flushedTo(parts), 16, 4)
    sink.write(bytes('ab'), 0, 2)
    sink.write(bytes('xLARGEx'), 1, 6)
    sink.write(bytes('c'), 0, 1)
    sink.flush()
    expect(parts).toEqual(['ab', 'LARGE', 'c'])
  })

  test('a piece larger than the buffer is written whole', () => {
    const parts: string[] = []
    const sink = new BufferedSink(flushedTo(parts), 4, 1000)
    sink.write(bytes('a'), 0, 1)
    sink.write(bytes('0123456789'), 0, 10)
    sink.flush()
    expect(parts).toEqual(['a', '0123456789'])
  })

  test('copies pieces from the same ArrayBuffer as the output buffer (the CLI layout)', () => {
    const arena = new ArrayBuffer(64)
    const input = new Uint8Array(arena, 0, 16)
    const out = new Uint8Array(arena, 16, 32)
    const value = new Uint8Array(arena, 48, 16)
    input.set(bytes('hello, world....'))
    value.set(bytes('VALUE'))
    const parts: string[] = []
    const sink = new BufferedSink(flushedTo(parts), out)
    sink.write(input, 0, 7)
    sink.write(value, 0, 5)
    sink.write(bytes(' and a foreign piece longer than 32'), 0, 6)
    sink.flush()
    expect(parts).toEqual(['hello, VALUE and a'])
    // Nothing outside the output region was touched.
    expect(dec.decode(input)).toBe('hello, world....')
    expect(dec.decode(value.subarray(0, 5))).toBe('VALUE')
  })

  test('flush with nothing pending does not call back', () => {
    const parts: string[] = []
    new BufferedSink(flushedTo(parts), 8).flush()
    expect(parts).toEqual([])
  })
})

describe('CollectingSink', () => {
  test('joins the written ranges into a fresh array on take, then starts over', () => {
    const sink = new CollectingSink()
    const src = bytes('0123456789')
    sink.write(src, 2, 4)
    sink.write(src, 7, 10)
    expect(sink.pending).toBe(5)
    const first = sink.take()
    src.fill(0)
    expect(dec.decode(first)).toBe('23789')
    expect(sink.pending).toBe(0)
    expect(sink.take().length).toBe(0)
  })
})
