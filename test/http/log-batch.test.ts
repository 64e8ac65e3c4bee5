import { describe, expect, test } from 'bun:test'
import { batchedLines, MAX_BATCHED_CHARS } from '../../src/http/log-batch.ts'

describe('batchedLines', () => {
  test('the lines of one turn reach the sink in one write, in order, after the turn', () => {
    const written: string[] = []
    const turns: Array<() => void> = []
    const lines = batchedLines((t) => written.push(t), (run) => turns.push(run))
    lines.write('a\n')
    lines.write('b\n')
    lines.write('c\n')
    expect(written).toEqual([])
    expect(turns.length).toBe(1)
    turns.shift()!()
    expect(written).toEqual(['a\nb\nc\n'])
    lines.write('d\n')
    expect(turns.length).toBe(1)
    turns.shift()!()
    expect(written).toEqual(['a\nb\nc\n', 'd\n'])
  })

  test('never holds more than MAX_BATCHED_CHARS: a burst is written as it grows', () => {
    const written: string[] = []
    const lines = batchedLines((t) => written.push(t), () => {})
    const line = `${'x'.repeat(999)}\n`
    for (let i = 0; i < 200; i++) lines.write(line)
    expect(written.length).toBe(Math.floor((200 * line.length) / MAX_BATCHED_CHARS))
    for (const w of written) expect(w.length).toBeLessThan(MAX_BATCHED_CHARS + line.length)
    lines.flush()
    expect(written.join('')).toBe(line.repeat(200))
  })

  test('flush writes what is held at once, and nothing when nothing is', () => {
    const written: string[] = []
    const lines = batchedLines((t) => written.push(t), () => {})
    lines.flush()
    lines.write('held\n')
    lines.flush()
    lines.flush()
    expect(written).toEqual(['held\n'])
  })

  test('with the default schedule, the lines are out by the next turn of the event loop', async () => {
    const written: string[] = []
    const lines = batchedLines((t) => written.push(t))
    lines.write('one\n')
    lines.write('two\n')
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setImmediate(resolve))
    expect(written).toEqual(['one\ntwo\n'])
  })
})
