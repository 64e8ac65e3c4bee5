import type { Registry } from 'prom-client'

/** One label set's counts: per bucket (not cumulative; the last is `+Inf`), their sum and number. */
interface Series {
  readonly labels: Readonly<Record<string, string>>
  readonly counts: Float64Array
  sum: number
  count: number
}

/**
 * A Prometheus histogram for the request durations, registered in a
 * prom-client registry and exposed exactly as prom-client's `Histogram`
 * exposes the same observations (test/http/metrics/duration-histogram.test.ts
 * holds the two texts equal). The difference: a series is picked once per
 * label set ({@link series}), and an observation is then a bucket search
 * and three additions; prom-client checks and hashes the labels of every
 * observation, about a microsecond of every request.
 */
export class DurationHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly #bounds: readonly number[]
  readonly #series = new Map<string, Series>()

  /**
   * @param bounds the buckets' upper bounds, ascending (`+Inf` is added).
   * @param registry where it is exposed (`registerMetric`).
   */
  constructor(
    readonly name: string,
    readonly help: string,
    bounds: readonly number[],
    registry: Registry,
  ) {
    this.#bounds = [...bounds]
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0])
  }

  /**
   * The observer of one label set, made once: `key` names the set (the
   * caller's own text of the same labels), `labels` are exposed in their
   * order. Values are seconds; a non-finite one is not counted.
   */
  series(key: string, labels: Record<string, string>): (value: number) => void {
    let series = this.#series.get(key)
    if (!series) {
      series = { labels: { ...labels }, counts: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 }
      this.#series.set(key, series)
    }
    const s = series
    const bounds = this.#bounds
    return (value) => {
      if (!Number.isFinite(value)) return
      let i = 0
      while (i < bounds.length && value > bounds[i]!) i++
      s.counts[i]!++
      s.sum += value
      s.count++
    }
  }

  /** What prom-client's registry formats (the shape of prom-client's `Histogram.getForPromString`). */
  getForPromString() {
    // Buckets carry `exemplar: null` as prom-client's do (no exemplars here).
    const values: Array<{ labels: Record<string, string | number>; sharedLabels: Record<string, string>; value: number; metricName: string; exemplar?: null }> = []
    for (const s of this.#series.values()) {
      let total = 0
      for (const [i, bound] of this.#bounds.entries()) {
        total += s.counts[i]!
        values.push({ labels: { le: bound }, sharedLabels: s.labels, value: total, metricName: `${this.name}_bucket`, exemplar: null })
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_bucket`, exemplar: null })
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` })
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` })
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  /** The same, each value's labels in one object (prom-client's `get`, for `getMetricsAsJSON`). */
  async get() {
    const data = this.getForPromString()
    return { ...data, values: data.values.map(({ labels, sharedLabels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })) }
  }

  /** Forgets every observation (the registry's `resetMetrics`). */
  reset(): void {
    this.#series.clear()
  }
}
