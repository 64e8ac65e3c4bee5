/**
 * `secrets render` without the CLI, the store or decryption (bench/substituter.ts
 * --stub): the real renderFile (two passes, sync fd I/O) from stdin to stdout,
 * with the bench's deterministic values resolved from memory, so the
 * renderer's own speed can be told apart from the command's fixed cost.
 *
 * Usage: node_modules/.bin/bun bench/render-cli-stub.ts < IN > OUT
 * Exit codes follow the CLI: 0 ok, 3 missing or malformed placeholder, 1 other.
 */
import { MalformedPlaceholderError, MissingSecretError } from '../src/errors.ts'
import { renderFile } from '../src/cli/render/render-file.ts'
import { benchValue } from './corpus.ts'

const encoder = new TextEncoder()

try {
  await renderFile({
    input: process.argv[2] ?? null,
    output: process.argv[3] ?? null,
    async resolveAll(names) {
      const values = new Map<string, Uint8Array>()
      const missing: string[] = []
      for (const name of names) {
        const value = benchValue(name)
        if (value === undefined) missing.push(name)
        else values.set(name, encoder.encode(value))
      }
      if (missing.length > 0) throw new MissingSecretError(missing)
      return values
    },
  })
} catch (err) {
  const known = err instanceof MissingSecretError || err instanceof MalformedPlaceholderError
  process.stderr.write(`render-cli-stub: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(known ? 3 : 1)
}
