/**
 * Every placeholder of a body with its position and escaping, for
 * `secrets render --check`: which value goes where, and how it will be
 * escaped there (its filter, and in JSON mode the JSON context), without
 * resolving anything.
 *
 * Positions are counted from the scanner's events (literal runs, placeholders
 * and dropped escapes cover every input byte once), so the count is one pass
 * over the literal text, whatever the number of placeholders. The list grows
 * with the number of placeholders: this is a report, not the render path.
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */
import { type Escaping, ESCAPING_LABELS } from './escaping.ts'
import { nameToString } from './name-table.ts'
import { NameCollector } from './names.ts'
import { countNewlines } from './position.ts'
import type { ScanHandler } from './scanner.ts'

/** One placeholder: where its `$` is (1-based line, byte column), its name, and its escaping's label. */
export interface PlaceholderUse {
  line: number
  column: number
  name: string
  /** `raw`, `json`, `sh`, `url`, `base64` or `sh+json` (escaping.ts). */
  escaping: string
}

/** `${SECRET:` before a name. */
const OPEN_LENGTH = 9

/** A scan handler that lists every placeholder (and, like NameCollector, the distinct names). */
export class UseCollector implements ScanHandler {
  private readonly collector = new NameCollector()
  private readonly list: PlaceholderUse[] = []
  /** Absolute offset of the next input byte. */
  private offset = 0
  private line = 1
  /** Absolute offset of the last `\n` so far, -1 when none. */
  private lastNewline = -1

  /** Distinct names so far, in first-seen order (a live array). */
  get names(): readonly string[] {
    return this.collector.names
  }

  /** Every placeholder so far, in input order (a live array). */
  get uses(): readonly PlaceholderUse[] {
    return this.list
  }

  literal(buf: Uint8Array, start: number, end: number): void {
    const { count, last } = countNewlines(buf, start, end)
    if (count > 0) {
      this.line += count
      this.lastNewline = this.offset + (last - start)
    }
    this.offset += end - start
  }

  placeholder(buf: Uint8Array, start: number, end: number, hash: number, escaping: Escaping, after: number): void {
    this.collector.placeholder(buf, start, end, hash)
    const name = nameToString(buf, start, end)
    this.list.push({ line: this.line, column: this.offset - this.lastNewline, name, escaping: ESCAPING_LABELS[escaping]! })
    this.offset += after - (start - OPEN_LENGTH)
  }

  escape(): void {
    this.offset += 1
  }
}
