import { readFileSync } from 'node:fs'
import { parseExportedHead } from '../../audit/exported-head.ts'
import type { ExportedHead } from '../../audit/verify.ts'
import { type Command, parseCommandArgs, UsageError, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { EXPORT_HELP, runChainKeys, runExport } from './audit-export.ts'

function readExportedHead(file: string): ExportedHead {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new UsageError(`--head ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  const head = parseExportedHead(text)
  if ('error' in head) throw new UsageError(`--head ${file}: ${head.error}`)
  return head
}

const audit: Command = {
  help: `Usage: secrets audit verify [--head FILE]
       secrets audit head [--json]
       secrets audit export [--since T] [--until T] [--secret NAME] [--follow]
       secrets audit chain-keys --out FILE

verify  Accounts for every row of the audit table and recomputes every link:
        rows outside the chain (ids of 0 or below, past the head, without an
        id), gaps, duplicate ids and a row count that differs all fail, as do
        a row chained under an older chain key than the row before it and a
        head whose MAC does not match. Prints "ok: N rows" and exits 0, or
        names the first problem (changed, missing, reordered, outside,
        duplicate, count, older-key, head, exported-head, unverifiable) and
        exits 1. Once the chain holds, every secret row and kept version
        must be the one its last audited mutation wrote (same version,
        same SHA-256 of the ciphertext): "broken: secret NAME: ..." names
        an older ciphertext put back, a row copied from another secret or
        version, a deleted secret or pruned version restored, or a row
        removed around the service.
        --head FILE also checks that the chain still contains a head
        exported earlier with \`secrets audit head\` (text or --json form):
        this catches what the head's MAC cannot, the newest rows removed by
        someone who holds the master key, or a restore of an older backup.
head    Prints the newest link (row id and chain value; with --json also the
        row count). Keep copies outside this machine (a ticket, a log
        shipper) and check them with \`secrets audit verify --head FILE\`.
${EXPORT_HELP}

Each link is HMAC-SHA256 over the previous link and the row's fields under a
chain key of the log's own, stored sealed under the master key; the head
carries a MAC over its last id, chain value and row count. Editing the
database without the master key cannot forge rows or shorten the log
unseen. \`secrets rotate --all\` re-seals the chain keys under the current
master key, after which the current key alone verifies every row.
`,
  async run(args, io) {
    // export and chain-keys have flags of their own (audit-export.ts).
    if (args[0] === 'export') return runExport(args.slice(1), io)
    if (args[0] === 'chain-keys') return runChainKeys(args.slice(1), io)
    const { values, positionals } = parseCommandArgs(
      args,
      { json: { type: 'boolean' }, head: { type: 'string' } },
      { min: 1, max: 1, names: 'verify, head, export or chain-keys' },
    )
    const sub = positionals[0]
    if (sub !== 'verify' && sub !== 'head') throw new UsageError(`unknown subcommand "${sub}": use verify, head, export or chain-keys`)
    if (sub === 'head' && values.head !== undefined) throw new UsageError('--head FILE goes with verify')
    const exported = values.head === undefined ? undefined : readExportedHead(values.head)
    return withSecrets(io, async ({ service, store }) => {
      if (sub === 'head') {
        const head = await service.auditLog.head(store.db)
        io.stdout(values.json ? `${JSON.stringify(head)}\n` : `${head.last_id} ${head.chain}\n`)
        return EXIT.ok
      }
      const result = await service.auditLog.verify(store.db, exported ? { exported } : {})
      if (result.ok) {
        const against = exported ? `; contains the exported head ${exported.last_id}` : ''
        io.stdout(`ok: ${result.rows} rows (head ${result.head.last_id} ${result.head.chain}${against})\n`)
        return EXIT.ok
      }
      if (result.problem === 'secret') {
        io.stdout(`broken: secret ${result.secret}: ${result.detail} (the chain holds: ${result.rows} rows)\n`)
        return EXIT.failure
      }
      io.stdout(`broken: row ${result.id}: ${result.problem}: ${result.detail} (${result.rows} rows verified before it)\n`)
      return EXIT.failure
    })
  },
}
export default audit
