/**
 * A streaming masker: every occurrence of a secret value in a byte stream is
 * replaced by `<concealed>`, also when it is split across chunks. Bytes that
 * are not part of a value pass through unchanged.
 *
 * Values shorter than MIN_MASKED_LENGTH are not masked (a 1-3 byte value
 * would conceal ordinary text everywhere). Overlapping occurrences merge into
 * one `<concealed>`; every byte of every occurrence is concealed.
 *
 * Fast path: a 64 KiB table says which two-byte pairs start some value, so a
 * chunk with no match costs one table lookup a byte and no copy. Between
 * chunks only a possible beginning of a value is held back (at most the
 * longest value's length - 1 bytes); it is scanned again with the next chunk.
 */
export const CONCEALED = new TextEncoder().encode('<concealed>')
export const MIN_MASKED_LENGTH = 4

export class Masker {
  /** pair[(b0 << 8) | b1] = 1 when some value starts with b0 b1. */
  readonly #pair = new Uint8Array(65_536)
  /** first[b0] = 1 when some value starts with b0. */
  readonly #first = new Uint8Array(256)
  /** Values by their first two bytes, longest first (for the last 3 bytes of a buffer). */
  readonly #buckets = new Map<number, Uint8Array[]>()
  /** Values by their first four bytes, longest first: many values with one prefix (`sk-`) stay cheap. */
  readonly #buckets4 = new Map<number, Uint8Array[]>()
  #tail: Uint8Array = new Uint8Array(0)
  /** How many bytes at the start of #tail are already inside an emitted `<concealed>`. */
  #carry = 0
  readonly active: boolean

  constructor(values: Iterable<Uint8Array>) {
    const seen = new Set<string>()
    for (const v of values) {
      if (v.length < MIN_MASKED_LENGTH) continue
      const key = Buffer.from(v).toString('latin1')
      if (seen.has(key)) continue
      seen.add(key)
      const p = (v[0]! << 8) | v[1]!
      this.#pair[p] = 1
      this.#first[v[0]!] = 1
      const copy = v.slice()
      const bucket = this.#buckets.get(p) ?? []
      bucket.push(copy)
      this.#buckets.set(p, bucket)
      const q = key4(copy, 0)
      const bucket4 = this.#buckets4.get(q) ?? []
      bucket4.push(copy)
      this.#buckets4.set(q, bucket4)
    }
    for (const bucket of this.#buckets.values()) bucket.sort((a, b) => b.length - a.length)
    for (const bucket of this.#buckets4.values()) bucket.sort((a, b) => b.length - a.length)
    this.active = seen.size > 0
  }

  /** Masks a chunk; returns the bytes that can be written now (possibly empty). */
  push(chunk: Uint8Array): Uint8Array {
    if (!this.active) return chunk
    return this.#scan(this.#tail.length > 0 ? concat(this.#tail, chunk) : chunk, false)
  }

  /** The end of the stream: returns the held-back bytes, masked. */
  flush(): Uint8Array {
    if (!this.active) return new Uint8Array(0)
    return this.#scan(this.#tail, true)
  }

  /**
   * The length of the longest value that matches at `i`; 0 for none; -1
   * when a value might match but the buffer ends first (not at the end of
   * the stream).
   */
  #matchAt(b: Uint8Array, i: number, final: boolean): number {
    const avail = b.length - i
    if (avail < 2) return final ? 0 : -1
    let bucket: Uint8Array[] | undefined
    if (avail >= MIN_MASKED_LENGTH) {
      bucket = this.#buckets4.get(key4(b, i))
      if (bucket === undefined) return 0
    } else bucket = this.#buckets.get((b[i]! << 8) | b[i + 1]!)!
    for (const v of bucket) {
      const len = Math.min(v.length, avail)
      let k = 2
      while (k < len && b[i + k] === v[k]) k++
      if (k < len) continue
      if (v.length <= avail) return v.length
      if (!final) return -1
    }
    return 0
  }

  #scan(b: Uint8Array, final: boolean): Uint8Array {
    const pair = this.#pair
    const n = b.length
    const out: Uint8Array[] = []
    let concealEnd = this.#carry
    let emitFrom = concealEnd
    let stop = n
    let i = 0
    const last = n - 1
    while (i < n) {
      if (i < last) {
        if (pair[(b[i]! << 8) | b[i + 1]!] === 0) {
          i++
          continue
        }
      } else if (this.#first[b[i]!] === 0) break
      const len = this.#matchAt(b, i, final)
      if (len < 0) {
        stop = i
        break
      }
      if (len > 0) {
        if (i >= concealEnd) {
          if (i > emitFrom) out.push(b.subarray(emitFrom, i))
          out.push(CONCEALED)
        }
        if (i + len > concealEnd) concealEnd = i + len
        emitFrom = concealEnd
      }
      i++
    }
    if (stop > emitFrom) out.push(b.subarray(emitFrom, stop))
    this.#carry = Math.max(0, concealEnd - stop)
    // Copied: `b` may be the caller's chunk, which it may reuse.
    this.#tail = stop < n ? b.slice(stop) : new Uint8Array(0)
    if (out.length === 1) return out[0]!
    return concat(...out)
  }
}

/** The first four bytes at `i` as one number. */
function key4(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let total = 0
  for (const p of parts) total += p.length
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
