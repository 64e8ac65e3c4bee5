/** When logins get refused. */
export interface ThrottlePolicy {
  /** Failed logins for one username before it is locked. */
  readonly maxFailuresPerUsername: number
  /** Failed logins from one client address (or IPv6 /64) before it is locked. */
  readonly maxFailuresPerAddress: number
  /**
   * A key's failures are forgotten after this long without a failure,
   * counted from the end of its lock if it has one: under a steady attack
   * the lock keeps growing instead of starting over.
   */
  readonly windowMs: number
  /** The first lock; each further failure once locked doubles it. */
  readonly lockoutMs: number
  /** The longest lock. */
  readonly maxLockoutMs: number
  /** Keys remembered at most; the oldest are forgotten first (bounded memory under a spray). */
  readonly maxEntries: number
}

/**
 * 5 failures per username or 20 per address lock that key for 1 minute;
 * each further failure doubles the lock, up to 15 minutes. 15 quiet minutes
 * forget a key.
 */
export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = Object.freeze({
  maxFailuresPerUsername: 5,
  maxFailuresPerAddress: 20,
  windowMs: 15 * 60_000,
  lockoutMs: 60_000,
  maxLockoutMs: 15 * 60_000,
  maxEntries: 10_000,
})

interface Entry {
  failures: number
  lastAt: number
  lockedUntil: number
}

/**
 * In-memory login throttling, per username and per client address.
 *
 * An attempt counts as a failure from the moment it starts ({@link begin})
 * until it is known to have succeeded ({@link succeeded}): a burst of
 * parallel guesses, each taking a quarter second of scrypt, cannot all slip
 * in before the first failure is recorded. A locked key is refused before
 * any password is hashed, whatever the password.
 *
 * Per process: a restart forgets, and several server processes each count
 * on their own (docs/operators.md).
 */
export class LoginThrottle {
  readonly policy: ThrottlePolicy
  readonly #now: () => number
  readonly #entries = new Map<string, Entry>()

  constructor(options: { policy?: Partial<ThrottlePolicy>; now?: () => Date } = {}) {
    this.policy = { ...DEFAULT_THROTTLE_POLICY, ...options.policy }
    const now = options.now
    this.#now = now ? () => now().getTime() : () => Date.now()
  }

  /**
   * Starts an attempt. Returns the seconds to wait (for `Retry-After`, at
   * least 1) when the username or the address is locked; otherwise counts
   * the attempt as a failure and returns undefined.
   */
  begin(username: string, address: string): number | undefined {
    const now = this.#now()
    const keys = [this.#userKey(username), this.#addressKey(address)]
    const until = Math.max(...keys.map((k) => this.#live(k, now)?.lockedUntil ?? 0))
    if (until > now) return Math.max(1, Math.ceil((until - now) / 1000))
    this.#fail(keys[0]!, this.policy.maxFailuresPerUsername, now)
    this.#fail(keys[1]!, this.policy.maxFailuresPerAddress, now)
    return undefined
  }

  /** The attempt begun for this username and address succeeded: the username starts afresh, the address gets its attempt back. */
  succeeded(username: string, address: string): void {
    this.#entries.delete(this.#userKey(username))
    const entry = this.#entries.get(this.#addressKey(address))
    if (!entry) return
    entry.failures = Math.max(0, entry.failures - 1)
    // This very attempt may have set the lock; a success must not leave it behind.
    if (entry.failures < this.policy.maxFailuresPerAddress) entry.lockedUntil = 0
  }

  /**
   * For checks that are cheap and fail rarely (client tokens): the seconds
   * to wait when the username (if given) or the address is locked, else
   * undefined. Counts nothing; {@link failed} records a failure once known.
   */
  lockedFor(username: string | undefined, address: string): number | undefined {
    const now = this.#now()
    const keys = [...(username === undefined ? [] : [this.#userKey(username)]), this.#addressKey(address)]
    const until = Math.max(...keys.map((k) => this.#live(k, now)?.lockedUntil ?? 0))
    return until > now ? Math.max(1, Math.ceil((until - now) / 1000)) : undefined
  }

  /** Records one failure for the username (if given) and the address (see {@link lockedFor}). */
  failed(username: string | undefined, address: string): void {
    const now = this.#now()
    if (username !== undefined) this.#fail(this.#userKey(username), this.policy.maxFailuresPerUsername, now)
    this.#fail(this.#addressKey(address), this.policy.maxFailuresPerAddress, now)
  }

  /** How many keys are remembered (for tests). */
  get size(): number {
    return this.#entries.size
  }

  #userKey(username: string): string {
    return `u:${username.toLowerCase()}`
  }

  #addressKey(address: string): string {
    return `a:${address}`
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key)
    if (entry && now - Math.max(entry.lastAt, entry.lockedUntil) >= this.policy.windowMs) {
      this.#entries.delete(key)
      return undefined
    }
    return entry
  }

  #fail(key: string, limit: number, now: number): void {
    const entry = this.#live(key, now) ?? { failures: 0, lastAt: now, lockedUntil: 0 }
    entry.failures++
    entry.lastAt = now
    if (entry.failures >= limit) {
      const lock = this.policy.lockoutMs * 2 ** Math.min(entry.failures - limit, 20)
      entry.lockedUntil = now + Math.min(lock, this.policy.maxLockoutMs)
    }
    // Re-inserted so the Map's order is least recently failed first.
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    this.#evict(now)
  }

  #evict(now: number): void {
    if (this.#entries.size <= this.policy.maxEntries) return
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.policy.maxEntries) return
      const entry = this.#entries.get(key)!
      if (entry.lockedUntil <= now) this.#entries.delete(key)
    }
    // Everything left is locked: forget the oldest locks rather than grow without bound.
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.policy.maxEntries) return
      this.#entries.delete(key)
    }
  }
}
