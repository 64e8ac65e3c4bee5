/**
 * The smallest WebAssembly assembler that can say the render core
 * (scripts/gen-render-core.ts): binary encodings of the instructions it
 * uses, by their text-format names, and a module of i32 functions over one
 * imported memory (`env.memory`). No WebAssembly compiler is installed here
 * (with `wabt` the core would be a .wat file).
 */

/** Bytes before the render data (class table, scratch results); the default memarg offset of loads and stores. Must match src/render/core.ts. */
export const HEADER = 1024

export type Code = number[]
const uleb = (n: number): Code => {
  const out: Code = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n !== 0) b |= 0x80
    out.push(b)
  } while (n !== 0)
  return out
}
const sleb = (n: bigint): Code => {
  const out: Code = []
  for (;;) {
    const b = Number(n & 0x7fn)
    n >>= 7n
    if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) return [...out, b]
    out.push(b | 0x80)
  }
}
export const I32 = 0x7f
export const V128 = 0x7b
const EMPTY_BLOCK = 0x40
const mem = (op: number, align: number, offset: number): Code => [op, align, ...uleb(offset)]
const simd = (op: number, ...rest: Code): Code => [0xfd, ...uleb(op), ...rest]

/** The instructions used, by their text-format names. Loads and stores take the memarg offset. */
export const asm = {
  block: (): Code => [0x02, EMPTY_BLOCK],
  loop: (): Code => [0x03, EMPTY_BLOCK],
  if: (): Code => [0x04, EMPTY_BLOCK],
  else: (): Code => [0x05],
  end: (): Code => [0x0b],
  br: (depth: number): Code => [0x0c, ...uleb(depth)],
  brIf: (depth: number): Code => [0x0d, ...uleb(depth)],
  return: (): Code => [0x0f],
  get: (l: number): Code => [0x20, ...uleb(l)],
  set: (l: number): Code => [0x21, ...uleb(l)],
  tee: (l: number): Code => [0x22, ...uleb(l)],
  i32: (n: number): Code => [0x41, ...sleb(BigInt(n | 0))],
  i64: (n: bigint): Code => [0x42, ...sleb(BigInt.asIntN(64, n))],
  load: (offset = HEADER): Code => mem(0x28, 2, offset),
  load8: (offset = HEADER): Code => mem(0x2d, 0, offset),
  load64: (offset = HEADER): Code => mem(0x29, 0, offset),
  store: (offset = HEADER): Code => mem(0x36, 2, offset),
  eqz: (): Code => [0x45],
  eq: (): Code => [0x46],
  ne: (): Code => [0x47],
  ltS: (): Code => [0x48],
  ltU: (): Code => [0x49],
  gtS: (): Code => [0x4a],
  leS: (): Code => [0x4c],
  geS: (): Code => [0x4e],
  ne64: (): Code => [0x52],
  ctz: (): Code => [0x68],
  add: (): Code => [0x6a],
  sub: (): Code => [0x6b],
  mul: (): Code => [0x6c],
  and: (): Code => [0x71],
  or: (): Code => [0x72],
  xor: (): Code => [0x73],
  shl: (): Code => [0x74],
  shrU: (): Code => [0x76],
  rotl: (): Code => [0x77],
  select: (): Code => [0x1b],
  i64Eqz: (): Code => [0x50],
  i64And: (): Code => [0x83],
  i64Xor: (): Code => [0x85],
  i64Sub: (): Code => [0x7d],
  i64Shl: (): Code => [0x86],
  extendU: (): Code => [0xad],
  v128load: (offset = HEADER): Code => simd(0x00, 0, ...uleb(offset)),
  v128store: (offset = HEADER): Code => simd(0x0b, 0, ...uleb(offset)),
  splat8: (): Code => simd(0x0f),
  eq8: (): Code => simd(0x23),
  bitmask8: (): Code => simd(0x64),
}
const a = asm
export const seq = (...parts: Code[]): Code => parts.flat()

export interface Func {
  name: string
  params: number
  results: number
  /** Extra locals: [count, type] groups. */
  locals: [number, number][]
  body: Code
}

export function moduleBytes(funcs: Func[]): Uint8Array {
  const section = (id: number, content: Code): Code => [id, ...uleb(content.length), ...content]
  const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()]
  const str = (s: string): Code => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))]
  const types = funcs.map((f) => [0x60, ...vec(Array.from({ length: f.params }, () => [I32])), ...vec(Array.from({ length: f.results }, () => [I32]))])
  const imports = [[...str('env'), ...str('memory'), 0x02, 0x00, 0x01]]
  const exports = funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(i)])
  const bodies = funcs.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.body, ...a.end()]
    return [...uleb(body.length), ...body]
  })
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ])
}
