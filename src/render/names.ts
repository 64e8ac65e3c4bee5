/**
 * The names pass: which secrets does a body use? It drives `--check` and the
 * first pass of a render, so every name is known (and every malformed
 * placeholder reported) before anything is resolved or decrypted.
 *
 * Escaped placeholders (`$${SECRET:NAME}`) are text, not uses: they are not
 * listed.
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */
import { NameTable, nameToString } from './name-table.ts'
import { locateInBuffer } from './position.ts'
import { PlaceholderScanner, type RenderFormat, type ScanHandler } from './scanner.ts'

/**
 * A scan handler that records distinct names in first-seen order. A string
 * is built once per distinct name, not per placeholder.
 */
export class NameCollector implements ScanHandler {
  private readonly seen = new NameTable<true>()
  private readonly list: string[] = []
  /** Called with each name the first time it is seen (after it is recorded). */
  private readonly onNew: ((name: string) => void) | undefined

  constructor(onNew?: (name: string) => void) {
    this.onNew = onNew
  }

  /** Distinct names so far, in first-seen order (a live array: copy it to keep it). */
  get names(): readonly string[] {
    return this.list
  }

  literal(): void {}

  placeholder(buf: Uint8Array, start: number, end: number, hash: number): void {
    if (this.seen.get(buf, start, end, hash) !== undefined) return
    this.seen.set(buf, start, end, hash, true)
    const name = nameToString(buf, start, end)
    this.list.push(name)
    this.onNew?.(name)
  }
}

/**
 * The distinct names a whole body uses, in first-seen order.
 * @throws MalformedPlaceholderError on the first malformed placeholder (in
 *   JSON mode also a placeholder the JSON context refuses), with its line and
 *   byte column.
 */
export function collectNames(body: Uint8Array, format: RenderFormat = 'raw'): string[] {
  const collector = new NameCollector()
  const scanner = new PlaceholderScanner(collector, { locate: (offset) => locateInBuffer(body, offset), format })
  scanner.push(body)
  scanner.end()
  return [...collector.names]
}
