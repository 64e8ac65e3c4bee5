/**
 * Rendering a body: find the placeholders, resolve their values, substitute.
 * The resolver (decrypt and audit) is passed in, so this file knows nothing of
 * databases or keys.
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */
import { MalformedPlaceholderError } from '../errors.ts'
import { CollectingSink } from './byte-sink.ts'
import { NameCollector, collectNames } from './names.ts'
import { NameTable } from './name-table.ts'
import { PlaceholderScanner, type RenderFormat } from './scanner.ts'
import { SubstitutionHandler, substituteAll } from './substituter.ts'

/**
 * Resolves every name a body uses, in one call, to the value bytes.
 * Expected to throw MissingSecretError listing ALL unknown names before it
 * decrypts anything. A returned map that lacks a name makes the render throw
 * MissingSecretError for it.
 */
export type ResolveAll = (names: string[]) => Promise<Map<string, Uint8Array>>

/**
 * Resolves one name to its value bytes; throws MissingSecretError(name) when
 * it does not exist. Called at most once per distinct name per render.
 */
export type ResolveOne = (name: string) => Promise<Uint8Array>

/** Options of {@link renderString} and {@link renderStream}. */
export interface RenderOptions {
  /**
   * `raw` (default): values go in as their filter says, or as they are.
   * `json`: the body is a JSON text; a placeholder inside a JSON string has
   * its value JSON-escaped (unless its filter is `raw`), and one outside any
   * string must have a filter (docs/placeholders.md, "The JSON context").
   */
  format?: RenderFormat
}

const encoder = new TextEncoder()
// ignoreBOM: keep a leading U+FEFF (the default decoder would drop it from the output).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * Renders a string body. Two passes: the first finds every name, so a
 * malformed placeholder throws before anything is resolved; then `resolveAll`
 * is called exactly once with the distinct names in first-seen order (an
 * empty list when there are none); then the values are substituted.
 *
 * The body is handled as its UTF-8 bytes (columns in errors are byte
 * columns); a lone surrogate, which has no UTF-8 form, comes back as U+FFFD.
 * Values are decoded as UTF-8 (invalid sequences become U+FFFD).
 * @throws MalformedPlaceholderError (line, byte column of the `$`) before
 *   `resolveAll` is called; whatever `resolveAll` throws (MissingSecretError);
 *   MissingSecretError if the returned map lacks a name.
 */
export async function renderString(body: string, resolveAll: ResolveAll, options: RenderOptions = {}): Promise<string> {
  const bytes = encoder.encode(body)
  const format = options.format ?? 'raw'
  const names = collectNames(bytes, format)
  const values = await resolveAll(names)
  return decoder.decode(substituteAll(bytes, values, format))
}

/**
 * Renders a byte stream in a single pass (a stream cannot be read twice).
 * Each distinct name is resolved once, the first time it is seen, and the
 * value is reused for later occurrences; names are resolved one at a time,
 * in first-seen order. Output chunks are new arrays owned by the consumer.
 *
 * On a malformed placeholder or a missing secret the output stream errors
 * with MalformedPlaceholderError / MissingSecretError (whatever `resolve`
 * throws), and the input is cancelled. With both in one body, the first in
 * input order is reported, whatever the chunking (names before a malformed
 * placeholder are resolved, since a single pass cannot look ahead of them). By then some output may have been
 * delivered: a consumer MUST discard everything it read from a stream that
 * ends in an error (write to a temporary file, rename only on success).
 * Cancelling the output cancels the input.
 */
export function renderStream(
  input: ReadableStream<Uint8Array>,
  resolve: ResolveOne,
  options: RenderOptions = {},
): ReadableStream<Uint8Array<ArrayBuffer>> {
  const format = options.format ?? 'raw'
  const cache = new NameTable<Uint8Array>()
  const fresh: string[] = []
  // Two scanners see the same chunks: the first finds names not yet resolved
  // (so they can be awaited), the second substitutes synchronously once they
  // are. They carry the same tails, so the second never meets a name the
  // first has not reported.
  const finder = new PlaceholderScanner(new NameCollector((name) => fresh.push(name)), { format })
  const sink = new CollectingSink()
  const substituter = new PlaceholderScanner(new SubstitutionHandler(cache, sink), { format })
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined

  async function resolveFresh(): Promise<void> {
    while (fresh.length > 0) {
      const name = fresh.shift()!
      cache.setName(name, await resolve(name))
    }
  }

  /**
   * Runs the finder, then resolves what it found. On a malformed placeholder
   * the names seen before it are resolved first, so the stream reports the
   * first problem in input order (a missing secret before a malformed
   * placeholder wins), whatever the chunk boundaries.
   */
  async function findNames(find: () => void): Promise<void> {
    try {
      find()
    } catch (err) {
      if (err instanceof MalformedPlaceholderError) await resolveFresh()
      throw err
    }
    await resolveFresh()
  }

  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    start() {
      reader = input.getReader()
    },
    async pull(controller) {
      const r = reader!
      try {
        // Read until there is output to enqueue: a chunk that only extends a
        // placeholder carried over from the previous chunk yields none.
        for (;;) {
          const { done, value } = await r.read()
          if (done) {
            await findNames(() => finder.end())
            substituter.end()
            if (sink.pending > 0) controller.enqueue(sink.take())
            controller.close()
            return
          }
          await findNames(() => finder.push(value))
          substituter.push(value)
          if (sink.pending > 0) {
            controller.enqueue(sink.take())
            return
          }
        }
      } catch (err) {
        r.cancel(err).catch(() => {
          // The input's own cancel failure is secondary to `err`, which the output reports.
        })
        throw err
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason)
    },
  })
}
