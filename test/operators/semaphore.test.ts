import { describe, expect, test } from 'bun:test'
import { Semaphore } from '../../src/operators/semaphore.ts'

const tick = () => new Promise((r) => setTimeout(r, 1))

describe('Semaphore', () => {
  test('runs at most `permits` tasks at once, in arrival order', async () => {
    const gate = new Semaphore(2)
    let running = 0
    let peak = 0
    const order: number[] = []
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        gate.run(async () => {
          order.push(i)
          running++
          peak = Math.max(peak, running)
          await tick()
          running--
        }),
      ),
    )
    expect(peak).toBe(2)
    expect(order).toEqual([0, 1, 2, 3, 4, 5])
  })

  test('gives the permit back when a task throws', async () => {
    const gate = new Semaphore(1)
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await gate.run(async () => 'next')).toBe('next')
  })

  test('refuses zero permits when built', () => {
    expect(() => new Semaphore(0)).toThrow(/at least one permit/)
  })
})
