import { describe, expect, test } from 'bun:test'
import { Histogram, Registry } from 'prom-client'
import { DurationHistogram } from '../../../src/http/metrics/duration-histogram.ts'

const NAME = 'secrets_http_request_duration_seconds'
const HELP = 'Time from a request entering the app to its answer being ready, by method and route pattern.'
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/** prom-client's Histogram and ours, fed the same observations, each in a registry of its own. */
function pair() {
  const theirs = new Registry()
  const ours = new Registry()
  const reference = new Histogram({ name: NAME, help: HELP, labelNames: ['method', 'route'] as const, buckets: BOUNDS, registers: [theirs] })
  const fast = new DurationHistogram(NAME, HELP, BOUNDS, ours)
  const observers = new Map<string, (v: number) => void>()
  const observe = (method: string, route: string, seconds: number) => {
    reference.labels({ method, route }).observe(seconds)
    const key = `${method} ${route}`
    let o = observers.get(key)
    if (!o) observers.set(key, (o = fast.series(key, { method, route })))
    o(seconds)
  }
  return { theirs, ours, observe }
}

describe('DurationHistogram: the exposition of prom-client\'s Histogram', () => {
  test('no observation: the same text', async () => {
    const { theirs, ours } = pair()
    expect(await ours.metrics()).toBe(await theirs.metrics())
  })

  test('every bucket edge, values between them, zero, the largest bound and past it: the same text and JSON', async () => {
    const { theirs, ours, observe } = pair()
    for (const b of BOUNDS) {
      observe('GET', '/secrets', b)
      observe('GET', '/secrets', b * 0.999)
      observe('GET', '/secrets', b * 1.001)
    }
    observe('GET', '/secrets', 0)
    observe('POST', '/secrets/:name/rotate', 7)
    observe('GET', '<unmatched>', 0.0001)
    expect(await ours.metrics()).toBe(await theirs.metrics())
    expect(await ours.getMetricsAsJSON()).toEqual(JSON.parse(JSON.stringify(await theirs.getMetricsAsJSON())))
  })

  test('2,000 random durations over five routes: the same text', async () => {
    const { theirs, ours, observe } = pair()
    const routes = ['/healthz', '/secrets', '/session', '/secrets/:name', '<unmatched>']
    for (let i = 0; i < 2000; i++) {
      const route = routes[Math.floor(Math.random() * routes.length)]!
      observe(i % 3 === 0 ? 'POST' : 'GET', route, Math.random() ** 3 * 8)
    }
    expect(await ours.metrics()).toBe(await theirs.metrics())
  })

  test('resetMetrics forgets the observations, as prom-client does', async () => {
    const { theirs, ours, observe } = pair()
    observe('GET', '/secrets', 0.02)
    theirs.resetMetrics()
    ours.resetMetrics()
    expect(await ours.metrics()).toBe(await theirs.metrics())
  })
})
