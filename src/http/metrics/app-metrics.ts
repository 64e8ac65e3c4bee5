import { Counter, Registry } from 'prom-client'
import type { AuditEntry, AuditLog } from '../../audit/audit-log.ts'
import type { AppLogger } from '../app-logger.ts'
import { DurationHistogram } from './duration-histogram.ts'

/**
 * The server's Prometheus metrics (prom-client, which runs on Bun and Node),
 * in a registry of the app's own, so two apps in one process (tests) never
 * share counts. Labels are closed sets only (route patterns, status codes,
 * audit actions and outcomes): never a secret name, a path or a user.
 */
export class AppMetrics {
  readonly registry = new Registry()
  /**
   * Requests counted since the start, by `method route status`; handed to
   * the counter when it is read (a scrape). prom-client hashes and checks
   * the labels of every `inc`: once a request, that was a few microseconds
   * of each answer, now it is a Map lookup.
   */
  readonly #answered = new Map<string, { labels: { method: string; route: string; status: string }; n: number; published: number }>()
  /** The duration histogram's series of each `method route`, picked once. */
  readonly #timers = new Map<string, (seconds: number) => void>()
  readonly requests = new Counter({
    name: 'secrets_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
    collect: () => this.#publishAnswered(),
  })
  readonly duration = new DurationHistogram(
    'secrets_http_request_duration_seconds',
    'Time from a request entering the app to its answer being ready, by method and route pattern.',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    this.registry,
  )
  readonly decryptions = new Counter({
    name: 'secrets_decryptions_total',
    help: 'Secret values decrypted and handed out (audit rows of action read, outcome ok).',
    registers: [this.registry],
  })
  readonly auditAppends = new Counter({
    name: 'secrets_audit_appends_total',
    help: 'Rows appended to the audit chain, by action and outcome.',
    labelNames: ['action', 'outcome'] as const,
    registers: [this.registry],
  })
  readonly renders = new Counter({
    name: 'secrets_renders_total',
    help: 'POST /render answers, by outcome (ok, refused: 4xx, error: 5xx).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  })
  readonly errors = new Counter({
    name: 'secrets_errors_total',
    help: 'Unexpected errors and database faults the server logged (answered 500 or 503).',
    registers: [this.registry],
  })

  /** Counts one answered request. `route` is the route pattern (`/secrets/:name`) or `<unmatched>`. */
  request(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route}`
    const answeredKey = `${key} ${status}`
    const answered = this.#answered.get(answeredKey)
    if (answered) answered.n++
    else this.#answered.set(answeredKey, { labels: { method, route, status: String(status) }, n: 1, published: 0 })
    let observe = this.#timers.get(key)
    if (!observe) {
      observe = this.duration.series(key, { method, route })
      this.#timers.set(key, observe)
    }
    observe(seconds)
    if (method === 'POST' && route === '/render') this.renders.inc({ outcome: status < 400 ? 'ok' : status < 500 ? 'refused' : 'error' })
  }

  #publishAnswered(): void {
    for (const a of this.#answered.values()) {
      if (a.n === a.published) continue
      this.requests.inc(a.labels, a.n - a.published)
      a.published = a.n
    }
  }

  /** Counts rows written to the audit chain. */
  audited(entries: readonly AuditEntry[]): void {
    // Summed per (action, outcome) first: a batch of 500 rows is a few
    // increments, not 500 label lookups.
    const counts = new Map<string, { action: string; outcome: string; n: number }>()
    let decrypted = 0
    for (const e of entries) {
      const key = `${e.action}\n${e.outcome}`
      const seen = counts.get(key)
      if (seen) seen.n++
      else counts.set(key, { action: e.action, outcome: e.outcome, n: 1 })
      if (e.action === 'read' && e.outcome === 'ok') decrypted++
    }
    for (const { action, outcome, n } of counts.values()) this.auditAppends.inc({ action, outcome }, n)
    if (decrypted > 0) this.decryptions.inc(decrypted)
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType }
  }
}

/**
 * Counts every row the audit log appends, after the append wrote it (inside
 * the caller's transaction: a transaction rolled back later was counted
 * still, which only a failed commit does). Wraps the instance's `append`
 * rather than changing audit-log.ts, so the log stays unaware of metrics;
 * every audited operation (decryption, mutation, security event) goes
 * through `append`.
 */
export function countAuditAppends(log: AuditLog, metrics: AppMetrics): void {
  const append = log.append.bind(log)
  log.append = async function countedAppend(trx, entries) {
    await append(trx, entries)
    metrics.audited(entries)
  }
}

/** The logger, with every error it logs counted. */
export function countErrors(logger: AppLogger, metrics: AppMetrics): AppLogger {
  return {
    request: (entry) => logger.request(entry),
    error(where, error, requestId) {
      metrics.errors.inc()
      logger.error(where, error, requestId)
    },
    ...(logger.info ? { info: logger.info.bind(logger) } : {}),
  }
}
