import type { Queryable } from '../store/raw-query.ts'
import { writeTransaction } from '../store/transaction.ts'
import type { AuditEntry, AuditLog } from './audit-log.ts'

/** What the batcher needs of the log: its append inside a transaction (a structural type, so tests can wrap it). */
export type AuditAppender = Pick<AuditLog, 'append'>

/** What the batcher has done since it was built. */
export interface AuditBatcherStats {
  /** Transactions committed. */
  batches: number
  /** Requests whose rows those transactions carried. */
  requests: number
  /** Rows they appended. */
  rows: number
  /** Transactions that failed (every request in them was rejected). */
  failedBatches: number
}

interface Pending {
  rows: readonly AuditEntry[]
  resolve: () => void
  reject: (error: unknown) => void
}

/**
 * A batch stops taking whole requests past this many rows, so one
 * transaction (and the wait of its first request) stays bounded; a single
 * request larger than this still goes, alone.
 */
export const MAX_BATCH_ROWS = 5000

/**
 * Group commit for audit rows that stand in their own transaction (the rows
 * of reads: renders, deliveries, reveals, and refusals). A request's rows go
 * into a queue; while no batch is committing, the batcher lets one turn of
 * the event loop pass (so requests decrypting at the same time queue too),
 * then a transaction begins, takes
 * the queue as one batch and appends it (one fsync), the rows chained in
 * arrival order, each request's rows together. Requests that arrive while a
 * batch commits wait for it and go in the next one.
 *
 * Promises: `append` resolves only after the transaction holding its rows
 * committed (so a caller that returns plaintext after it keeps "audit
 * before plaintext"); when a batch fails, every request in it is rejected
 * with that error and none of their rows is written (the transaction rolled
 * back, the chain head unchanged). A batch only appends: it takes the audit
 * head's lock and no secret row's, so the lock order of writers (secret
 * rows first, the audit head last) holds. Each process has its own batcher;
 * two processes on one store still serialize on the head (AuditLog).
 *
 * Mutations are not batched: their audit row commits in their own
 * transaction, with the change it records.
 */
export class AuditBatcher {
  readonly #db: Queryable
  readonly #log: AuditAppender
  #queue: Pending[] = []
  #committing = false
  readonly #stats: AuditBatcherStats = { batches: 0, requests: 0, rows: 0, failedBatches: 0 }

  constructor(db: Queryable, log: AuditAppender) {
    this.#db = db
    this.#log = log
  }

  /** Counters since construction (a copy). */
  get stats(): AuditBatcherStats {
    return { ...this.#stats }
  }

  /** Requests queued and not yet in a committing batch. */
  get waiting(): number {
    return this.#queue.length
  }

  /**
   * Appends `rows` in the next batch; resolves once that batch committed.
   * @throws what the batch's transaction threw (the rows were not written).
   */
  append(rows: readonly AuditEntry[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ rows, resolve, reject })
      if (!this.#committing) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#committing = true
    try {
      // One turn of the event loop before the first batch begins: the
      // requests whose decryptions finish in this turn join it (their
      // rows are queued by then), rather than each paying a commit.
      await new Promise<void>((resolve) => setImmediate(resolve))
      while (this.#queue.length > 0) await this.#commit()
    } finally {
      this.#committing = false
    }
  }

  /** The requests of the next batch, from the front of the queue. */
  #take(): Pending[] {
    let rows = 0
    let n = 0
    while (n < this.#queue.length && (n === 0 || rows + this.#queue[n]!.rows.length <= MAX_BATCH_ROWS)) {
      rows += this.#queue[n]!.rows.length
      n++
    }
    return this.#queue.splice(0, n)
  }

  async #commit(): Promise<void> {
    let batch: Pending[] | undefined
    let rows = 0
    try {
      await writeTransaction(this.#db, (trx) => {
        // Taken once the transaction began: on SQLite BEGIN IMMEDIATE waits
        // for the one connection and the write lock, and whoever queued
        // meanwhile still makes this batch.
        batch = this.#take()
        const entries = batch.flatMap((p) => p.rows)
        rows = entries.length
        return this.#log.append(trx, entries)
      })
    } catch (error) {
      // Failed before it took its batch (BEGIN itself): the requests waiting are the ones it was for.
      batch ??= this.#take()
      this.#stats.failedBatches++
      for (const p of batch) p.reject(error)
      return
    }
    this.#stats.batches++
    this.#stats.requests += batch!.length
    this.#stats.rows += rows
    for (const p of batch!) p.resolve()
  }
}
