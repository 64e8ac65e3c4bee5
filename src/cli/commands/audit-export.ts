import { closeSync, openSync, writeSync } from 'node:fs'
import { type ExportFilter, exportPage } from '../../audit/audit-export.ts'
import { ChainKeyResolver, loadChainKeys } from '../../audit/chain-key-store.ts'
import { encodeBase64 } from '../../crypto/encoding.ts'
import { SecretNameSchema, validateField } from '../../secrets/validation.ts'
import { openStore } from '../../store/database.ts'
import { type Command, parseCommandArgs, UsageError, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import type { CliIO } from '../io.ts'

const PAGE = 1000
/** How often `--follow` asks for new rows. */
export const FOLLOW_POLL_MS = 1000

// RFC 3339 with a zone, or a date alone (midnight UTC).
const TIME = /^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:\d\d))?$/i

/** A `--since`/`--until` value as the rows' ISO 8601 UTC form. @throws UsageError naming the flag. */
export function parseTime(flag: string, text: string): string {
  const ms = TIME.test(text) ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text.replace(' ', 'T')) : NaN
  if (Number.isNaN(ms)) {
    throw new UsageError(`--${flag} must be a time like 2026-01-31, 2026-01-31T12:00:00Z or 2026-01-31T13:00:00+01:00`)
  }
  return new Date(ms).toISOString()
}

/** Whether an error is the reader of standard output having gone away. */
function closedOutput(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED'
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * `secrets audit export`: JSON lines on standard output, one row a line,
 * oldest first; with `follow`, keeps asking for new rows every
 * {@link FOLLOW_POLL_MS} until SIGINT or SIGTERM, or until standard output
 * is closed (`| head`), and then ends with exit 0. Needs the store only,
 * not the master key: the rows hold no secret.
 */
export async function runExport(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    { since: { type: 'string' }, until: { type: 'string' }, secret: { type: 'string' }, follow: { type: 'boolean' } },
    { min: 0, max: 0, names: '' },
  )
  const filter: ExportFilter = {
    since: values.since === undefined ? undefined : parseTime('since', values.since),
    until: values.until === undefined ? undefined : parseTime('until', values.until),
    secret: values.secret === undefined ? undefined : validateField('secret', SecretNameSchema, values.secret),
  }
  if (values.follow && filter.until !== undefined) throw new UsageError('--follow does not go with --until (it waits for rows to come)')
  const write = io.stdoutBytes ?? ((bytes: Uint8Array) => io.stdout(new TextDecoder().decode(bytes)))
  const encoder = new TextEncoder()
  const stop = new AbortController()
  const onSignal = () => stop.abort()
  if (values.follow) for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, onSignal)
  const store = await openStore(io.env.DATABASE_URL || undefined)
  try {
    let last = 0
    for (;;) {
      const rows = await exportPage(store.db, filter, last, PAGE)
      if (rows.length > 0) {
        try {
          write(encoder.encode(rows.map((r) => `${JSON.stringify(r)}\n`).join('')))
        } catch (e) {
          if (closedOutput(e)) return EXIT.ok
          throw e
        }
        last = rows.at(-1)!.id
      }
      if (rows.length === PAGE) continue
      if (!values.follow || stop.signal.aborted) return EXIT.ok
      await pause(FOLLOW_POLL_MS, stop.signal)
      if (stop.signal.aborted) return EXIT.ok
    }
  } finally {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, onSignal)
    await store.close()
  }
}

/**
 * `secrets audit chain-keys --out FILE`: writes the audit chain's keys
 * (`{"chain_keys": {ID: base64}}`) to a new file of mode 0600, for an
 * independent verifier (docs/audit.md). Never to standard output: whoever
 * holds them can forge rows that verify. Needs the master key.
 */
export async function runChainKeys(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, { out: { type: 'string' } }, { min: 0, max: 0, names: '' })
  if (values.out === undefined) throw new UsageError('--out FILE is required: the keys are never printed')
  const out = values.out
  return withSecrets(io, async ({ store, keyring }) => {
    const resolver = new ChainKeyResolver(keyring)
    const keys: Record<string, string> = {}
    const missing: string[] = []
    for (const record of await loadChainKeys(store.db)) {
      const raw = await resolver.raw(record)
      if (typeof raw === 'string') missing.push(`${record.id} (${raw})`)
      else {
        keys[record.id] = encodeBase64(raw)
        raw.fill(0)
      }
    }
    let fd: number
    try {
      // O_EXCL: never over an existing file; 0600 from the start.
      fd = openSync(out, 'wx', 0o600)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      throw new UsageError(`--out ${out}: ${code === 'EEXIST' ? 'the file exists; chain keys are never written over a file' : `cannot create it (${code ?? 'error'})`}`)
    }
    try {
      writeSync(fd, `${JSON.stringify({ chain_keys: keys })}\n`)
    } finally {
      closeSync(fd)
    }
    io.stderr(
      `secrets: wrote ${Object.keys(keys).length} audit chain key(s) to ${out} (mode 0600). Whoever holds them can forge audit rows that verify: keep the file with the verifier, away from the store and its exports, and delete it when done.\n`,
    )
    if (missing.length > 0) io.stderr(`secrets: not opened with the configured master keys, left out: ${missing.join(', ')}\n`)
    return EXIT.ok
  })
}

/** The help of both, for `secrets audit --help`. */
export const EXPORT_HELP = `export  Writes audit rows as JSON lines on standard output, oldest first:
        every column of the row (chain value and chain key id included;
        columns added later too) and prev_chain, the chain value of the row
        before it, so a log system can keep the rows and re-verify each one
        (docs/audit.md; scripts/verify-audit-export.py does it).
        --since T   rows at or after T (2026-01-31, 2026-01-31T12:00:00Z, ...)
        --until T   rows before T
        --secret N  rows of secret N only
        --follow    keep writing new rows as they come (every second) until
                    SIGINT or SIGTERM, or until standard output is closed
                    (noticed at the next write)
        Needs DATABASE_URL only, not the master key.
chain-keys --out FILE
        Writes the chain keys to FILE (new, mode 0600) for an independent
        verifier; never to standard output. Whoever holds them can forge
        rows that verify. Needs the master key.`

/** For tests: the export command alone. */
export const exportCommand: Command = { help: EXPORT_HELP, run: runExport }
