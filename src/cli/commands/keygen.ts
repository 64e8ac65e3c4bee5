import { generateMasterKey } from '../../crypto/master-key.ts'
import { type Command, parseCommandArgs } from '../command.ts'
import { EXIT } from '../exit-codes.ts'

const keygen: Command = {
  help: `Usage: secrets keygen

Prints a fresh master key: standard base64 of 32 random bytes, the form
CLAUDE_HOOKS_SECRET_KEY takes. Needs no existing key.

  umask 077; printf 'CLAUDE_HOOKS_SECRET_KEY=%s\\n' "$(npx secrets keygen)" > secrets.env

Keep it apart from the database: whoever has both can read every secret, and
without it no secret can be read again.
`,
  async run(args, io) {
    parseCommandArgs(args, {}, { min: 0, max: 0, names: '' })
    io.stdout(`${generateMasterKey()}\n`)
    return EXIT.ok
  },
}
export default keygen
