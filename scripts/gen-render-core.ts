/**
 * Generates src/render/core-wasm.ts: the WebAssembly core of a dense render's
 * two hot loops (see src/render/core.ts for how it is used and why).
 *
 *   node_modules/.bin/bun scripts/gen-render-core.ts          # rewrite the file
 *   node_modules/.bin/bun scripts/gen-render-core.ts --check  # exit 1 if it is stale
 *
 * Hand-assembled on purpose: no WebAssembly compiler is installed here (with
 * `wabt` or `assemblyscript` this would be a .wat or .ts file). The module is
 * two functions over an imported memory, written below as commented
 * instruction lists; scripts/wasm-asm.ts is the smallest assembler that can
 * say them.
 *
 * Addresses: every load and store of render data uses the memarg offset
 * HEADER, so the functions take and return the JavaScript indices of
 * `new Uint8Array(memory.buffer, HEADER)`; the first HEADER bytes hold the
 * name-byte class table (0-255) and the results of a call (SCRATCH).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { asm as a, type Code, type Func, HEADER, I32, moduleBytes, seq, V128 } from './wasm-asm.ts'

export { HEADER }

/** Where a call leaves its results (absolute address, three i32). */
export const SCRATCH = 256

// --- Pass 1: scan -------------------------------------------------------------

const DOLLAR = 0x24
const LBRACE = 0x7b
const RBRACE = 0x7d
/** `{SECRET:` as a little-endian i64 (the 8 bytes after the `$`). */
const OPEN_TAIL = [...'{SECRET:'].reduce((acc, c, k) => acc | (BigInt(c.charCodeAt(0)) << BigInt(8 * k)), 0n)
/** The final multiplier of the core's name hash (coreHash in src/render/core.ts). */
const HASH_MIX = 0x9e3779b1
const MAX_NAME = 128
const MAX_GAP = 1 << 30

/**
 * An i64 with the low `k` bytes set, for the i32 local `k` (all 8 when
 * k >= 8, none when k <= 0).
 */
function byteMask(k: number): Code {
  return seq(
    a.i64(-1n),
    a.i64(1n), a.get(k), a.i32(3), a.shl(), a.extendU(), a.i64Shl(), a.i64(1n), a.i64Sub(),
    a.i64(0n), a.get(k), a.i32(0), a.gtS(), a.select(),
    a.get(k), a.i32(8), a.geS(), a.select(),
  )
}

/**
 * scan(p, end, lit, gap, used, cap, tab, mask) -> the index of the next `$`
 * the core leaves to the JavaScript scanner, or -1 when none is left before
 * `end`. On the way it handles every `${SECRET:NAME}` that lies whole in
 * `[p, end)`, whose name is in the table at `tab` (slots of 16 bytes: hash,
 * id, key index, key length; `mask` + 1 slots), with a record slot free
 * (`used` < `cap` ints, records at index 0 of the record area... see core.ts)
 * and a gap under 2^30: it appends the record (gap, id << 8 | length) at
 * `rec + used * 4` and moves on. Anything else (an escape, a filter, a new
 * name, a malformed or cut construct, a full buffer) stops it at that `$`.
 * Results at SCRATCH: lit (start of the pending literal run), gap (literal
 * bytes before lit not yet in a record), used.
 */
function scanFunc(): Func {
  // Params.
  const p = 0, end = 1, lit = 2, gap = 3, used = 4, cap = 5, tab = 6, mask = 7, rec = 8
  // Locals.
  const i = 9, h = 10, c = 11, limit = 12, s = 13, slot = 14, id = 15, k = 16, koff = 17, len = 18, m = 19, dollars = 20
  const exit = (value: Code): Code =>
    seq(a.i32(SCRATCH), a.get(lit), a.store(0), a.i32(SCRATCH + 4), a.get(gap), a.store(0), a.i32(SCRATCH + 8), a.get(used), a.store(0), value, a.return())
  const bail = exit(a.get(p))
  const body = seq(
    a.i32(DOLLAR), a.splat8(), a.set(dollars),
    a.loop(), // $next: find the next `$` from p
    //   SIMD: 16 bytes at a time while they lie before end.
    a.block(), // $found
    a.block(), // $scalar
    a.loop(),
    a.get(p), a.i32(16), a.add(), a.get(end), a.gtS(), a.brIf(1), // -> $scalar
    a.get(p), a.v128load(), a.get(dollars), a.eq8(), a.bitmask8(), a.tee(m),
    a.if(),
    a.get(p), a.get(m), a.ctz(), a.add(), a.set(p), a.br(3), // -> $found
    a.end(),
    a.get(p), a.i32(16), a.add(), a.set(p), a.br(0),
    a.end(),
    a.end(), // $scalar: the last bytes one by one
    a.loop(),
    a.get(p), a.get(end), a.geS(), a.if(), exit(a.i32(-1)), a.end(),
    a.get(p), a.load8(), a.i32(DOLLAR), a.eq(), a.brIf(1), // -> $found
    a.get(p), a.i32(1), a.add(), a.set(p), a.br(0),
    a.end(),
    a.end(), // $found: buf[p] is `$`
    //   `${SECRET:` must lie whole before end, else the JavaScript scanner decides.
    a.get(p), a.i32(9), a.add(), a.get(end), a.gtS(), a.if(), bail, a.end(),
    a.get(p), a.load8(HEADER + 1), a.set(c),
    a.get(c), a.i32(LBRACE), a.ne(),
    a.if(),
    //   `$$` may be an escape: the JavaScript scanner's. Any other `$x` is literal.
    a.get(c), a.i32(DOLLAR), a.eq(), a.if(), bail, a.end(),
    a.get(p), a.i32(1), a.add(), a.set(p), a.br(1), // -> $next
    a.end(),
    a.get(p), a.load64(HEADER + 1), a.i64(OPEN_TAIL), a.ne64(),
    a.if(), a.get(p), a.i32(1), a.add(), a.set(p), a.br(1), a.end(), // `${` of something else: literal
    //   The name: hash while the bytes are name bytes (class table at address 0: 2 = A-Z, 1 = 0-9 _).
    a.get(p), a.i32(9), a.add(), a.tee(i), a.set(s),
    a.i32(0), a.set(h),
    a.get(i), a.get(end), a.ltS(),
    a.if(),
    a.get(i), a.load8(), a.tee(c), a.load8(0), a.i32(2), a.eq(),
    a.if(),
    a.get(end), a.get(s), a.i32(MAX_NAME), a.add(), a.tee(limit), a.get(end), a.get(limit), a.ltS(), a.select(), a.set(limit),
    a.loop(),
    a.get(h), a.i32(5), a.rotl(), a.get(c), a.xor(), a.set(h),
    a.get(i), a.i32(1), a.add(), a.tee(i), a.get(limit), a.ltS(),
    a.if(), a.get(i), a.load8(), a.tee(c), a.load8(0), a.brIf(1), a.end(),
    a.end(),
    a.end(),
    a.end(),
    //   Only `NAME}` whole before end is ours.
    a.get(i), a.get(s), a.eq(), a.if(), bail, a.end(),
    a.get(i), a.get(end), a.geS(), a.if(), bail, a.end(),
    a.get(i), a.load8(), a.i32(RBRACE), a.ne(), a.if(), bail, a.end(),
    //   Look the name up: open addressing, compare hash, length, then bytes.
    a.get(i), a.get(s), a.sub(), a.set(len),
    a.get(h), a.i32(HASH_MIX), a.mul(), a.tee(h), a.get(h), a.i32(16), a.shrU(), a.xor(), a.set(h),
    a.get(h), a.get(mask), a.and(), a.set(slot),
    a.block(), // $hit
    a.loop(), // $probe
    a.get(tab), a.get(slot), a.i32(4), a.shl(), a.add(), a.tee(k), // k = slot address
    a.load(HEADER + 4), a.tee(id), a.eqz(), a.if(), bail, a.end(), // empty slot: a new name
    a.get(k), a.load(), a.get(h), a.eq(),
    a.if(),
    a.get(k), a.load(HEADER + 12), a.get(len), a.eq(),
    a.if(),
    a.get(k), a.load(HEADER + 8), a.set(koff),
    a.i32(0), a.set(k),
    a.loop(), // 8 bytes at a time (keys and input have room after them), the last ones masked
    a.get(k), a.get(len), a.geS(), a.brIf(4), // all bytes equal -> $hit
    a.get(koff), a.get(k), a.add(), a.load64(), a.get(s), a.get(k), a.add(), a.load64(), a.i64Xor(),
    a.get(len), a.get(k), a.sub(), a.set(c), byteMask(c), a.i64And(), a.i64Eqz(),
    a.if(), a.get(k), a.i32(8), a.add(), a.set(k), a.br(1), a.end(),
    a.end(),
    a.end(),
    a.end(),
    a.get(slot), a.i32(1), a.add(), a.get(mask), a.and(), a.set(slot), a.br(0),
    a.end(),
    a.end(), // $hit: id
    //   The record: a free slot and a gap under 2^30, else the JavaScript recorder's.
    a.get(used), a.get(cap), a.geS(), a.if(), bail, a.end(),
    a.get(gap), a.get(p), a.get(lit), a.sub(), a.add(), a.tee(k), a.i32(MAX_GAP), a.geS(), a.if(), bail, a.end(),
    a.get(rec), a.get(used), a.i32(2), a.shl(), a.add(), a.tee(koff), a.get(k), a.store(),
    a.get(koff), a.get(id), a.i32(8), a.shl(), a.get(i), a.i32(1), a.add(), a.get(p), a.sub(), a.or(), a.store(HEADER + 4),
    a.get(used), a.i32(2), a.add(), a.set(used),
    a.i32(0), a.set(gap),
    a.get(i), a.i32(1), a.add(), a.tee(p), a.set(lit),
    a.br(0), // -> $next
    a.end(),
    a.i32(-1), // unreachable: the loop only leaves by return
  )
  return { name: 'scan', params: 9, results: 1, locals: [[11, I32], [1, V128]], body }
}

// --- Pass 2: replay -------------------------------------------------------------

/**
 * replay(i, n, o, ri, rend, outEnd, vs, vl) -> 0, or 1 when a record does
 * not match the input (it changed). Copies, for each record at `ri` (byte
 * index, 8 bytes a record, up to `rend`) that lies whole before input index
 * `n` and whose output fits before `outEnd`: the gap of literal bytes from
 * `i`, then the value of its id (start and length in the i32 tables at `vs`
 * and `vl`). Stops at the first record that does not fit. Copies go 16
 * bytes at a time and may write up to 15 bytes past their end (core.ts
 * leaves room); sources are read up to 15 bytes past theirs. Results at
 * SCRATCH: i, o, ri.
 */
function replayFunc(): Func {
  const i = 0, n = 1, o = 2, ri = 3, rend = 4, outEnd = 5, vs = 6, vl = 7
  const g = 8, word = 9, len = 10, id = 11, at = 12, vlen = 13, k = 14, src = 15
  const exit = (value: number): Code =>
    seq(a.i32(SCRATCH), a.get(i), a.store(0), a.i32(SCRATCH + 4), a.get(o), a.store(0), a.i32(SCRATCH + 8), a.get(ri), a.store(0), a.i32(value), a.return())
  /** Copies `count` bytes from `from` to o, 16 at a time; o moves past them. */
  const copy = (from: number, count: number): Code =>
    seq(
      a.i32(0), a.set(k),
      a.block(), a.loop(),
      a.get(k), a.get(count), a.geS(), a.brIf(1),
      a.get(o), a.get(k), a.add(), a.get(from), a.get(k), a.add(), a.v128load(), a.v128store(),
      a.get(k), a.i32(16), a.add(), a.set(k), a.br(0),
      a.end(), a.end(),
      a.get(o), a.get(count), a.add(), a.set(o),
    )
  const body = seq(
    a.loop(),
    a.get(ri), a.get(rend), a.eq(), a.if(), exit(0), a.end(),
    a.get(ri), a.load(), a.set(g),
    a.get(ri), a.load(HEADER + 4), a.tee(word), a.i32(0xff), a.and(), a.set(len),
    a.get(word), a.i32(8), a.shrU(), a.set(id),
    a.get(i), a.get(g), a.add(), a.tee(at),
    a.get(len), a.add(), a.get(n), a.gtS(), a.if(), exit(0), a.end(),
    a.get(vl), a.get(id), a.i32(2), a.shl(), a.add(), a.load(), a.set(vlen),
    a.get(o), a.get(g), a.add(), a.get(vlen), a.add(), a.get(outEnd), a.gtS(), a.if(), exit(0), a.end(),
    //   The construct must still start with `$` (and a placeholder end with `}`).
    a.get(len),
    a.if(),
    a.get(at), a.load8(), a.i32(DOLLAR), a.ne(), a.if(), exit(1), a.end(),
    a.get(len), a.i32(1), a.gtS(),
    a.if(), a.get(at), a.get(len), a.add(), a.i32(1), a.sub(), a.load8(), a.i32(RBRACE), a.ne(), a.if(), exit(1), a.end(), a.end(),
    a.end(),
    copy(i, g),
    a.get(vs), a.get(id), a.i32(2), a.shl(), a.add(), a.load(), a.set(src),
    copy(src, vlen),
    a.get(at), a.get(len), a.add(), a.set(i),
    a.get(ri), a.i32(8), a.add(), a.set(ri),
    a.br(0),
    a.end(),
    a.i32(0),
  )
  return { name: 'replay', params: 8, results: 1, locals: [[8, I32]], body }
}

/** The module's bytes. */
export function renderCoreBytes(): Uint8Array {
  return moduleBytes([scanFunc(), replayFunc()])
}

function generated(): string {
  const b64 = Buffer.from(renderCoreBytes()).toString('base64')
  const lines = b64.match(/.{1,100}/g)!.map((l) => `  '${l}' +`)
  return `/**
 * GENERATED by scripts/gen-render-core.ts (edit that, then run it): the
 * WebAssembly core of the renderer's hot loops (src/render/core.ts).
 */
export const RENDER_CORE_WASM =
${lines.join('\n')}
  ''
`
}

if (import.meta.main) {
  const target = join(import.meta.dir, '../src/render/core-wasm.ts')
  const text = generated()
  if (process.argv.includes('--check')) {
    const now = readFileSync(target, 'utf8')
    if (now !== text) {
      console.error('src/render/core-wasm.ts is stale: run node_modules/.bin/bun scripts/gen-render-core.ts')
      process.exit(1)
    }
  } else writeFileSync(target, text)
}
