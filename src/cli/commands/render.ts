import { clientModeSettings } from '../client-mode.ts'
import { cliAccessor, type Command, parseCommandArgs, UsageError, withLocalResolve, withSecrets } from '../command.ts'
import { checkActorFlags } from '../actor-flags.ts'
import { EXIT } from '../exit-codes.ts'
import { OutputError } from '../output-error.ts'
import type { RenderFormat } from '../../render/scanner.ts'

// The local and the client path are each imported when taken: a client
// render loads neither the local renderer nor the store, and the client
// bundle (scripts/build-cli.ts) leaves them out.

/** `--format`, or its default: json when IN or OUT ends in .json. */
function formatOf(option: string | undefined, paths: (string | null)[]): RenderFormat {
  if (option === undefined) return paths.some((p) => p !== null && /\.json$/i.test(p)) ? 'json' : 'raw'
  if (option !== 'json' && option !== 'raw') throw new UsageError('--format must be json or raw')
  return option
}

const render: Command = {
  help: `Usage: secrets render --accessor WHO --reason WHY [--format json|raw] [IN [OUT]]
       secrets render --check [--format json|raw] [IN]

Replaces every \${SECRET:NAME} in IN (default: standard input) with the
value of NAME and writes the result to OUT (default: standard output).
\${SECRET:NAME|FILTER} passes the value through a filter first: raw (as it
is), json (escaped for the inside of a JSON string), sh (one single-quoted
shell word), url (percent-encoded), base64.
$\${SECRET:NAME} is an escape for the literal text \${SECRET:NAME}; any other
$ or \${...} passes through unchanged. Each distinct secret is decrypted
once and leaves one audit row: accessor cli:USER (the login name of the
user running the command, from its uid), label WHO, reason WHY. WHO is
free text and recorded as a label only: it cannot pose as another user, an
operator or a client.

With --format json (the default when IN or OUT ends in .json) IN is read as
JSON: a placeholder inside a JSON string gets its value JSON-escaped (after
its filter; |raw inserts the value as it is), so the output stays valid JSON
whatever the values. A placeholder outside any string must name a filter,
e.g. "port": \${SECRET:PORT|raw}; without one it is an error (exit 3) with
its line and column. --format raw (the default otherwise) applies filters
only.

Nothing is written unless every placeholder is well formed and every secret
exists: the input is read once to find the names (spooled to a private
temporary file when it is a pipe), then rendered. OUT is written to a
temporary file beside it and renamed into place; on failure it is left as it
was. Memory stays flat on inputs of any size.

OUT is checked before any secret is decrypted: OUT equal to IN, a directory,
a missing directory, and a FIFO, device or symlink owned by another user
(other than root) are refused. A FIFO OUT needs a reader already (it is not
waited for). /dev/stdout and /dev/fd/N write to the caller's descriptor.

Options:
  --accessor WHO  what reads the secrets (a label for the audit log, required)
  --reason WHY    why, for the audit log (required)
  --check         list the names IN uses and whether each exists, then every
                  placeholder with its line, column and the escaping its
                  value gets there (raw, json, sh, url, base64, or sh+json:
                  |sh inside a JSON string); decrypts nothing, writes no
                  audit row
  --format F      json or raw (see above)

IN and OUT may be "-" for standard input and output.

Environment:
  RENDER_SPOOL_LIMIT  most bytes of an IN that is a pipe, terminal or device
                      (spooled to be read twice); past it the render fails
                      before decrypting. Bytes, or with K, M, G, T (powers of
                      1024): e.g. 256M. Default 1G.

Client mode: when CLAUDE_HOOKS_SECRETS_URL is set, IN is sent to that
server's POST /render with the token of CLAUDE_HOOKS_SECRETS_TOKEN_FILE (a
file only you can read) or CLAUDE_HOOKS_SECRETS_TOKEN, and the answer is
written to OUT with the same promises (OUT checked first, written whole or
not at all). Neither the master key nor a database is needed or opened; the
token is the identity, so --accessor is refused, and --check is not
available. A name the client's grants do not cover fails the render (exit 1,
every such name listed). docs/clients.md.

Exit codes: 0 ok, 1 failure (OUT refused, spool limit, I/O), 2 usage, 3 a
secret is missing or a placeholder is malformed (every missing name, or the
line and column, on stderr), 78 configuration (a bad RENDER_SPOOL_LIMIT too).
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { accessor: { type: 'string' }, reason: { type: 'string' }, check: { type: 'boolean' }, format: { type: 'string' } },
      { min: 0, max: 2, names: 'IN and OUT' },
    )
    const path = (p: string | undefined) => (p === undefined || p === '-' ? null : p)
    const input = path(positionals[0])
    const output = path(positionals[1])
    const format = formatOf(values.format, [input, output])
    const remote = clientModeSettings(io.env)
    if (remote) {
      if (values.accessor !== undefined) throw new UsageError('--accessor is refused in client mode: the token is the identity')
      if (values.check) throw new UsageError('--check is not available in client mode (CLAUDE_HOOKS_SECRETS_URL is set)')
      if (values.reason === undefined) throw new UsageError('--reason WHY is required: it is written to the audit log')
      if (!/^[\x20-\x7e]+$/.test(values.reason)) throw new UsageError('--reason must be printable ASCII in client mode (it travels in an HTTP header)')
      checkActorFlags(values)
      const { renderRemote } = await import('../render/remote-render.ts')
      try {
        await renderRemote({ settings: remote, input, output, format, reason: values.reason })
      } catch (e) {
        // The answer arrived, so the server had audited its reads.
        throw e instanceof OutputError ? e.with('the server audited the reads') : e
      }
      return EXIT.ok
    }
    const { checkFile, renderFile } = await import('../render/render-file.ts')
    if (values.check) {
      if (positionals.length > 1) throw new UsageError('--check takes no OUT')
      const { formatTable } = await import('../table.ts')
      const check = async (existingOf: (names: readonly string[]) => Promise<Set<string>>) => {
        const { names, uses } = checkFile(input, format)
        const existing = await existingOf(names)
        const missing = names.filter((n) => !existing.has(n))
        if (names.length > 0) {
          io.stdout(formatTable(['NAME', 'STATUS'], names.map((n) => [n, existing.has(n) ? 'ok' : 'missing'])))
          io.stdout('\n')
          io.stdout(formatTable(['LINE', 'COLUMN', 'NAME', 'ESCAPING'], uses.map((u) => [String(u.line), String(u.column), u.name, u.escaping])))
        }
        if (missing.length > 0) {
          io.stderr(`secrets: missing secret${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}\n`)
          return EXIT.placeholder
        }
        return EXIT.ok
      }
      // As a render: a ready SQLite store without Kysely (names only: nothing decrypted, no audit row).
      const { openSqliteReader } = await import('../../secrets/sqlite-reader.ts')
      const reader = await openSqliteReader(io.env)
      if (reader) {
        try {
          return await check((names) => reader.existing(names))
        } finally {
          await reader.close()
        }
      }
      return withSecrets(io, ({ service }) => check((names) => service.existing(names)))
    }
    if (values.accessor === undefined) throw new UsageError('--accessor WHO is required: it is written to the audit log')
    if (values.reason === undefined) throw new UsageError('--reason WHY is required: it is written to the audit log')
    checkActorFlags(values)
    const actor = { accessor: cliAccessor(), label: values.accessor, reason: values.reason }
    const { parseSpoolLimit } = await import('../render/spool.ts')
    const spoolLimit = parseSpoolLimit(io.env.RENDER_SPOOL_LIMIT)
    let read = 0
    try {
      await withLocalResolve(io, actor, (resolveAll) =>
        renderFile({ input, output, format, spoolLimit, resolveAll: (names) => resolveAll(names).then((values) => ((read = names.length), values)) }),
      )
    } catch (e) {
      // Pass 2 writes only once every value was read and audited.
      throw e instanceof OutputError && read > 0 ? e.with(`the reads of ${read} secret${read === 1 ? ' were' : 's were'} audited`) : e
    }
    return EXIT.ok
  },
}
export default render
