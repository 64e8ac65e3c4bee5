/**
 * The substituter: scans chunks and writes the output, with each placeholder
 * replaced by its value from a map that is ready before the scan starts (the
 * resolver did its work already). Synchronous and allocation-free per
 * placeholder: literal runs go to the sink as byte ranges of the input, and a
 * name is looked up by its bytes and hash, not as a string.
 *
 * Values are inserted with the escaping the scanner decided for each
 * placeholder (its filter, and in JSON mode the JSON context: escaping.ts),
 * computed once per distinct name and escaping. A value that itself contains
 * `${SECRET:…}` is not scanned again.
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */
import { MissingSecretError } from '../errors.ts'
import { CollectingSink, type ByteSink } from './byte-sink.ts'
import { applyEscaping, ESCAPING, type Escaping } from './escaping.ts'
import { NameTable, nameToString } from './name-table.ts'
import { locateInBuffer } from './position.ts'
import { PlaceholderScanner, type RenderFormat, type ScanHandler, type ScannerOptions } from './scanner.ts'

/** Resolved values, by name. */
export type ValueMap = ReadonlyMap<string, Uint8Array>

/** Builds the byte-keyed lookup table once per render. Values are not copied. */
export function valueTable(values: ValueMap): NameTable<Uint8Array> {
  const table = new NameTable<Uint8Array>(values.size)
  for (const [name, value] of values) table.setName(name, value)
  return table
}

/**
 * A scan handler that writes literal runs and looked-up values to a sink.
 * @throws MissingSecretError (from `placeholder`) for a name not in the table;
 *   the message names the secret only.
 */
export class SubstitutionHandler implements ScanHandler {
  private readonly table: NameTable<Uint8Array>
  private readonly sink: ByteSink
  /** Escaped values by name, indexed by escaping code (made on first use). */
  private readonly escaped = new NameTable<Uint8Array[]>()

  constructor(table: NameTable<Uint8Array>, sink: ByteSink) {
    this.table = table
    this.sink = sink
  }

  literal(buf: Uint8Array, start: number, end: number): void {
    this.sink.write(buf, start, end)
  }

  placeholder(buf: Uint8Array, start: number, end: number, hash: number, escaping: Escaping): void {
    let value = this.table.get(buf, start, end, hash)
    if (value === undefined) throw new MissingSecretError(nameToString(buf, start, end))
    if (escaping !== ESCAPING.raw) {
      let byEscaping = this.escaped.get(buf, start, end, hash)
      if (byEscaping === undefined) {
        byEscaping = []
        this.escaped.set(buf, start, end, hash, byEscaping)
      }
      value = byEscaping[escaping] ??= applyEscaping(escaping, value)
    }
    this.sink.write(value, 0, value.length)
  }
}

/**
 * Streaming substitution over chunks split anywhere: {@link push} each chunk,
 * then {@link end}. Output goes to `sink` synchronously, in order, during
 * those calls.
 */
export class Substituter {
  private readonly scanner: PlaceholderScanner

  /**
   * @param values resolved values (a Map, or a table from {@link valueTable}
   *   to reuse one across renders).
   * @param options `locate` for callers that compute positions themselves;
   *   `format` `json` for a JSON body.
   */
  constructor(values: ValueMap | NameTable<Uint8Array>, sink: ByteSink, options: ScannerOptions = {}) {
    const table = values instanceof NameTable ? values : valueTable(values)
    this.scanner = new PlaceholderScanner(new SubstitutionHandler(table, sink), options)
  }

  /** Bytes pushed so far. */
  get bytesIn(): number {
    return this.scanner.bytesIn
  }

  /**
   * Substitutes the next chunk; the caller may reuse it afterwards.
   * @throws MalformedPlaceholderError, MissingSecretError. Output already
   *   handed to the sink is then partial and must be discarded.
   */
  push(chunk: Uint8Array): void {
    this.scanner.push(chunk)
  }

  /**
   * Ends the input, deciding a carried tail.
   * @throws MalformedPlaceholderError, MissingSecretError.
   */
  end(): void {
    this.scanner.end()
  }
}

/**
 * Substitutes a whole buffer into a new one.
 * @throws MalformedPlaceholderError (line and byte column), MissingSecretError
 *   for the first name not in `values`.
 */
export function substituteAll(
  body: Uint8Array,
  values: ValueMap | NameTable<Uint8Array>,
  format: RenderFormat = 'raw',
): Uint8Array<ArrayBuffer> {
  const sink = new CollectingSink()
  const substituter = new Substituter(values, sink, { locate: (offset) => locateInBuffer(body, offset), format })
  substituter.push(body)
  substituter.end()
  return sink.take()
}
