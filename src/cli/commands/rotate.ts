import { SecretNameSchema, validateField } from '../../secrets/validation.ts'
import { cliAccessor, type Command, parseCommandArgs, UsageError, withSecrets } from '../command.ts'
import { EXIT } from '../exit-codes.ts'

const rotate: Command = {
  help: `Usage: secrets rotate NAME [--reason TEXT]
       secrets rotate --all [--reason TEXT]

Re-encrypts a secret under the current master key (CLAUDE_HOOKS_SECRET_KEY)
with a fresh IV. With --all, every secret still sealed under a previous key
(CLAUDE_HOOKS_SECRET_KEY_PREVIOUS); safe to run again after an interruption.
Each re-encryption is audited (action "rotate").

Options:
  --all          every secret not yet under the current key
  --reason TEXT  why, for the audit log (default: "secrets rotate")
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { all: { type: 'boolean' }, reason: { type: 'string' } },
      { min: 0, max: 1, names: 'NAME or --all' },
    )
    if (Boolean(values.all) === (positionals.length === 1)) throw new UsageError('give either NAME or --all')
    const name = values.all ? undefined : validateField('name', SecretNameSchema, positionals[0])
    const actor = { accessor: cliAccessor(), reason: values.reason ?? 'secrets rotate' }
    return withSecrets(io, async ({ service }) => {
      if (name !== undefined) {
        const secret = await service.rotate(name, actor)
        io.stdout(`rotated ${secret.name} (key ${secret.key_id})\n`)
        return EXIT.ok
      }
      const stale = (await service.list()).filter((s) => !s.key_current)
      let failed = 0
      for (const s of stale) {
        try {
          await service.rotate(s.name, actor)
          io.stdout(`rotated ${s.name}\n`)
        } catch (e) {
          failed++
          io.stderr(`secrets: ${s.name}: ${(e as Error).message}\n`)
        }
      }
      io.stdout(`rotated ${stale.length - failed}, failed ${failed}; every other secret was already under key ${service.currentKeyId}\n`)
      return failed === 0 ? EXIT.ok : EXIT.failure
    })
  },
}
export default rotate
