import { ValidationError } from '../../errors.ts'
import { MAX_VALUE_BYTES, SecretNameSchema, validateField } from '../../secrets/validation.ts'
import { cliAccessor, type Command, parseCommandArgs, withSecrets } from '../command.ts'
import { checkActorFlags } from '../actor-flags.ts'
import { EXIT } from '../exit-codes.ts'
import { parseIfVersion } from '../if-version.ts'
import { type CliIO, InputTooLargeError } from '../io.ts'

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * The value from stdin. One trailing newline is dropped unless asked not to:
 * `echo token | secrets set X` and a here-string add one that is not part of
 * the token. On a terminal the value is read once with echo off.
 */
async function readValue(io: CliIO, name: string, keepNewline: boolean): Promise<string> {
  if (io.stdinIsTTY && io.readHidden) {
    const typed = await io.readHidden(`Value for ${name} (input hidden): `)
    return typed ?? ''
  }
  let bytes: Uint8Array
  try {
    // Two bytes of slack for a trailing CRLF that will be dropped.
    bytes = await io.readStdin(MAX_VALUE_BYTES + 2)
  } catch (e) {
    if (e instanceof InputTooLargeError) {
      throw new ValidationError('value', 'max_bytes', `value must be at most ${MAX_VALUE_BYTES} bytes of UTF-8`)
    }
    throw e
  }
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    throw new ValidationError('value', 'utf8', 'value must be valid UTF-8')
  } finally {
    bytes.fill(0)
  }
  if (!keepNewline) text = text.replace(/\r?\n$/, '')
  return text
}

const set: Command = {
  help: `Usage: secrets set NAME [--description TEXT] [--if-version N] [--reason TEXT] [--keep-newline]

Creates the secret NAME (version 1), or replaces its value when it exists
(a new version; the previous value is kept, see \`secrets versions\`). The value is
read from standard input, never from the command line (other users can read
a process's arguments). On a terminal it is asked for with echo off.

  printf %s "$TOKEN" | npx secrets set GITHUB_TOKEN --description "forge token"
  npx secrets set OPENAI_API_KEY < key.txt

Options:
  --description TEXT  what the secret is for (at most 500 characters)
  --if-version N      check-and-set: replace only if NAME is at version N now,
                      or with 0 create only if it does not exist (exit 1 otherwise,
                      nothing written)
  --reason TEXT       why, for the audit log (default: "secrets set")
  --keep-newline      keep a trailing newline (by default one is dropped)

NAME: an uppercase letter, then up to 127 uppercase letters, digits or _.
Value: 1 to 65,536 bytes of UTF-8.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        description: { type: 'string' },
        reason: { type: 'string' },
        'keep-newline': { type: 'boolean' },
        'if-version': { type: 'string' },
      },
      { min: 1, max: 1, names: 'NAME' },
    )
    // Checked before a value is asked for: nobody types a token twice.
    const name = validateField('name', SecretNameSchema, positionals[0])
    checkActorFlags(values)
    const ifVersion = parseIfVersion(values['if-version'])
    return withSecrets(io, async ({ service }) => {
      const value = await readValue(io, name, values['keep-newline'] ?? false)
      const actor = { accessor: cliAccessor(), reason: values.reason ?? 'secrets set' }
      const { created, secret } = await service.set({ name, value, description: values.description }, actor, { ifVersion })
      io.stdout(`${created ? 'created' : 'replaced'} ${secret.name} (version ${secret.version}, key ${secret.key_id})\n`)
      return EXIT.ok
    })
  },
}
export default set
