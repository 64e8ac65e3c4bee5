/**
 * A small hash table keyed by the bytes of a placeholder name.
 *
 * The scanner hands over a placeholder as a byte range of its input plus a
 * hash it computed while validating the name, so looking a name up costs one
 * probe and one byte comparison: no string is built per placeholder (building
 * one per placeholder was the largest cost of dense renders when measured).
 * Strings are made only when a
 * caller asks for one (a new name, an error message).
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */

/** FNV-1a 32-bit offset basis. The scanner folds name bytes with the same constants. */
export const NAME_HASH_SEED = 0x811c9dc5 | 0
/** FNV-1a 32-bit prime. */
export const NAME_HASH_PRIME = 0x01000193

/** The hash the scanner computes for `bytes[start, end)`: FNV-1a 32-bit, as a signed int. */
export function hashNameBytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = NAME_HASH_SEED
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, NAME_HASH_PRIME)
  return h
}

/** Names are ASCII by grammar, so one char code per byte is an exact decoding. */
export function nameToString(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[])
}

/** Encodes an ASCII name to bytes (names are ASCII by grammar). */
export function nameToBytes(name: string): Uint8Array {
  const out = new Uint8Array(name.length)
  for (let i = 0; i < name.length; i++) out[i] = name.charCodeAt(i) & 0xff
  return out
}

/**
 * Open-addressing table from name bytes to `V`. Insert-only (a render never
 * forgets a name), grows at half load so probe chains stay short.
 */
export class NameTable<V> {
  private hashes: Int32Array
  private keys: Array<Uint8Array | undefined>
  private values: Array<V | undefined>
  private mask: number
  private count = 0

  constructor(capacity = 16) {
    let size = 16
    while (size < capacity * 2) size *= 2
    this.hashes = new Int32Array(size)
    this.keys = new Array<Uint8Array | undefined>(size)
    this.values = new Array<V | undefined>(size)
    this.mask = size - 1
  }

  /** Number of distinct names stored. */
  get size(): number {
    return this.count
  }

  /** The value stored for the name `buf[start, end)` whose hash is `hash`, or undefined. */
  get(buf: Uint8Array, start: number, end: number, hash: number): V | undefined {
    const len = end - start
    let i = hash & this.mask
    for (;;) {
      const key = this.keys[i]
      if (key === undefined) return undefined
      if (this.hashes[i] === hash && key.length === len && sameBytes(key, buf, start, len)) return this.values[i]
      i = (i + 1) & this.mask
    }
  }

  /** Stores `value` for the name `buf[start, end)` (copied), replacing any previous value. */
  set(buf: Uint8Array, start: number, end: number, hash: number, value: V): void {
    const len = end - start
    let i = hash & this.mask
    for (;;) {
      const key = this.keys[i]
      if (key === undefined) break
      if (this.hashes[i] === hash && key.length === len && sameBytes(key, buf, start, len)) {
        this.values[i] = value
        return
      }
      i = (i + 1) & this.mask
    }
    // The key is copied because the scanner's input buffer is reused by the caller.
    this.keys[i] = buf.slice(start, end)
    this.hashes[i] = hash
    this.values[i] = value
    this.count++
    if (this.count * 2 > this.mask + 1) this.grow()
  }

  /** Convenience for callers that hold names as strings (the resolved map). */
  setName(name: string, value: V): void {
    const bytes = nameToBytes(name)
    this.set(bytes, 0, bytes.length, hashNameBytes(bytes), value)
  }

  private grow(): void {
    const oldKeys = this.keys
    const oldHashes = this.hashes
    const oldValues = this.values
    const size = (this.mask + 1) * 2
    this.hashes = new Int32Array(size)
    this.keys = new Array<Uint8Array | undefined>(size)
    this.values = new Array<V | undefined>(size)
    this.mask = size - 1
    for (let j = 0; j < oldKeys.length; j++) {
      const key = oldKeys[j]
      if (key === undefined) continue
      let i = oldHashes[j]! & this.mask
      while (this.keys[i] !== undefined) i = (i + 1) & this.mask
      this.keys[i] = key
      this.hashes[i] = oldHashes[j]!
      this.values[i] = oldValues[j]
    }
  }
}

/**
 * Name to small integer id (1, 2, 3… in insertion order), specialised for the
 * hot path of pass 1 (record.ts): hashes and ids in Int32Arrays, key bytes in
 * one flat Uint8Array, so a lookup reads no JavaScript objects. 0 means
 * absent.
 */
export class NameIdTable {
  private hashes: Int32Array
  private ids: Int32Array
  private mask: number
  /** Key of id k: keyBytes[keyStart[k], keyStart[k] + keyLen[k]). */
  private keyStart: Int32Array = new Int32Array(64)
  private keyLen: Int32Array = new Int32Array(64)
  private keyBytes: Uint8Array = new Uint8Array(4096)
  private keyView: DataView = new DataView(this.keyBytes.buffer)
  private bytesUsed = 0
  private count = 0
  /** DataView of the last input buffer seen, for word-wise comparison. */
  private lastBuf: Uint8Array | undefined
  private lastView: DataView = new DataView(new ArrayBuffer(0))

  constructor() {
    this.hashes = new Int32Array(64)
    this.ids = new Int32Array(64)
    this.mask = 63
  }

  /** Number of ids handed out. */
  get size(): number {
    return this.count
  }

  /** The id of the name `buf[start, end)` whose hash is `hash`, or 0. */
  get(buf: Uint8Array, start: number, end: number, hash: number): number {
    const len = end - start
    const ids = this.ids
    const mask = this.mask
    let i = hash & mask
    for (;;) {
      const id = ids[i]!
      if (id === 0) return 0
      if (this.hashes[i] === hash && this.keyLen[id] === len) {
        // Four bytes at a time, then the rest.
        if (buf !== this.lastBuf) {
          this.lastBuf = buf
          this.lastView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
        }
        const bv = this.lastView
        const kv = this.keyView
        const ks = this.keyStart[id]!
        let k = 0
        const words = len - 3
        while (k < words && kv.getInt32(ks + k) === bv.getInt32(start + k)) k += 4
        if (k >= words) {
          const kb = this.keyBytes
          while (k < len && kb[ks + k] === buf[start + k]) k++
          if (k === len) return id
        }
      }
      i = (i + 1) & mask
    }
  }

  /** Adds a name that {@link get} did not find; returns its id (the previous size + 1). */
  add(buf: Uint8Array, start: number, end: number, hash: number): number {
    const len = end - start
    const id = ++this.count
    if (id >= this.keyStart.length) {
      this.keyStart = grown(this.keyStart, this.keyStart.length * 2)
      this.keyLen = grown(this.keyLen, this.keyLen.length * 2)
    }
    if (this.bytesUsed + len > this.keyBytes.length) {
      const bigger = new Uint8Array(Math.max(this.keyBytes.length * 2, this.bytesUsed + len))
      bigger.set(this.keyBytes)
      this.keyBytes = bigger
      this.keyView = new DataView(bigger.buffer)
    }
    this.keyBytes.set(buf.subarray(start, end), this.bytesUsed)
    this.keyStart[id] = this.bytesUsed
    this.keyLen[id] = len
    this.bytesUsed += len
    if (id * 2 > this.mask + 1) this.rehash(this.hashes.length * 2)
    this.place(hash, id)
    return id
  }

  private place(hash: number, id: number): void {
    let i = hash & this.mask
    while (this.ids[i] !== 0) i = (i + 1) & this.mask
    this.ids[i] = id
    this.hashes[i] = hash
  }

  private rehash(size: number): void {
    const oldIds = this.ids
    const oldHashes = this.hashes
    this.ids = new Int32Array(size)
    this.hashes = new Int32Array(size)
    this.mask = size - 1
    for (let j = 0; j < oldIds.length; j++) if (oldIds[j] !== 0) this.place(oldHashes[j]!, oldIds[j]!)
  }
}

function grown(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size)
  b.set(a)
  return b
}

function sameBytes(key: Uint8Array, buf: Uint8Array, start: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (key[k] !== buf[start + k]) return false
  return true
}
