import { SecretNameSchema, validateField } from '../../secrets/validation.ts'
import { cliAccessor, type Command, parseCommandArgs, UsageError, withSecrets } from '../command.ts'
import { checkActorFlags } from '../actor-flags.ts'
import { EXIT } from '../exit-codes.ts'
import { Progress } from '../progress.ts'
import { shutdownRequested } from '../shutdown.ts'

const DEFAULT_BATCH = 500

const rotate: Command = {
  help: `Usage: secrets rotate NAME [--reason TEXT]
       secrets rotate --all [--batch-size N] [--reason TEXT]

Re-encrypts a secret under the current master key (CLAUDE_HOOKS_SECRET_KEY)
with a fresh IV, as a new version (the additional data binds the name and
the version). With --all, every secret still sealed under a previous key
(CLAUDE_HOOKS_SECRET_KEY_PREVIOUS) or under the older additional data that
binds the name alone, in batches of one transaction each; then every kept
previous version under a previous key or the older additional data is
re-sealed in place (same version number; audited "reseal").
Interrupted at any moment (even kill -9), it loses nothing: every secret
stays decryptable, and running it again finishes the job. Each
re-encryption is audited (action "rotate").

A secret replaced while it is being rotated keeps the replaced value: the
rotation's write is guarded on what it read, so it never puts an older value
back. \`rotate NAME\` then re-encrypts the replaced value; \`--all\` leaves
such secrets as the other writer made them and counts them as "changed
meanwhile".

On a terminal it shows a progress bar; otherwise one line per batch. It ends
with a summary: rotated, already current, failed (with names and why).
Exit 1 if any failed.

Options:
  --all           every secret not yet under the current key
  --batch-size N  secrets per transaction (default ${DEFAULT_BATCH})
  --reason TEXT   why, for the audit log (default: "secrets rotate")
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { all: { type: 'boolean' }, reason: { type: 'string' }, 'batch-size': { type: 'string' } },
      { min: 0, max: 1, names: 'NAME or --all' },
    )
    if (Boolean(values.all) === (positionals.length === 1)) throw new UsageError('give either NAME or --all')
    checkActorFlags(values)
    const batch = values['batch-size'] === undefined ? DEFAULT_BATCH : Number(values['batch-size'])
    if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new UsageError('--batch-size must be a whole number from 1 to 10000')
    const name = values.all ? undefined : validateField('name', SecretNameSchema, positionals[0])
    const actor = { accessor: cliAccessor(), reason: values.reason ?? 'secrets rotate' }
    return withSecrets(io, async ({ service }) => {
      if (name !== undefined) {
        const secret = await service.rotate(name, actor)
        io.stdout(`rotated ${secret.name} (key ${secret.key_id})\n`)
        return EXIT.ok
      }
      const total = (await service.keyUsage()).reduce((n, k) => n + k.rows, 0)
      const stale = await service.countStale()
      const progress = new Progress(stale, io.stderr, io.stderrIsTTY)
      let after = ''
      let rotated = 0
      let batchNo = 0
      const failed: Array<{ name: string; code: string }> = []
      const changed: string[] = []
      let stopped: string | undefined
      for (;;) {
        stopped = shutdownRequested()
        if (stopped) break
        const result = await service.rotateBatch(after, batch, actor)
        if (result.last === undefined) break
        after = result.last
        rotated += result.rotated.length
        failed.push(...result.failed)
        changed.push(...result.changed)
        progress.advance(result.rotated.length + result.failed.length, `batch ${++batchNo}`)
      }
      // Then the kept previous versions, re-sealed in place, so a retired key seals nothing.
      let resealed = 0
      let afterVersion: { name: string; version: number } | undefined
      while (!stopped) {
        stopped = shutdownRequested()
        if (stopped) break
        const result = await service.resealBatch(afterVersion, batch, actor)
        if (result.last === undefined) break
        afterVersion = result.last
        resealed += result.resealed.length
        failed.push(...result.failed.map((f) => ({ name: `${f.name}@${f.version}`, code: f.code })))
      }
      progress.finish()
      io.stdout(`rotated ${rotated}, already current ${total - stale}, failed ${failed.length}\n`)
      if (resealed > 0) io.stdout(`kept versions re-sealed ${resealed}\n`)
      if (changed.length > 0) {
        io.stdout(
          `changed meanwhile ${changed.length} (left as the other writer made them; ${await service.countStale()} still under a previous key: run \`secrets rotate --all\` again if not 0)\n`,
        )
      }
      if (stopped) io.stdout(`stopped early by ${stopped}: run \`secrets rotate --all\` again to finish\n`)
      for (const f of failed) io.stdout(`  failed ${f.name}: ${f.code}\n`)
      return failed.length === 0 ? EXIT.ok : EXIT.failure
    })
  },
}
export default rotate
