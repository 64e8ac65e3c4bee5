/**
 * The variables `secrets run` sets: `--env NAME=TEMPLATE` and the dotenv
 * lines of `--env-file FILE`, checked before anything is decrypted.
 */
import { readFileSync } from 'node:fs'
import { UsageError } from '../command.ts'
import { WITHHELD } from './child-env.ts'

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function checkName(name: string, where: string): void {
  if (!NAME.test(name)) throw new UsageError(`${where}: "${name}" is not a variable name (letters, digits, _; not starting with a digit)`)
  if (WITHHELD.includes(name)) throw new UsageError(`${where}: ${name} is never passed to the command`)
}

/** `NAME=TEMPLATE` of one --env. */
export function parseEnvOption(spec: string): [string, string] {
  const eq = spec.indexOf('=')
  if (eq < 0) throw new UsageError(`--env ${spec.split('=')[0]}: expected NAME=TEMPLATE`)
  const name = spec.slice(0, eq)
  checkName(name, '--env')
  return [name, spec.slice(eq + 1)]
}

/**
 * Dotenv lines: `NAME=TEMPLATE`, an optional `export ` before NAME, the
 * value optionally in single or double quotes (taken literally: no escapes,
 * no inline comments); `#` comment lines and blank lines are skipped.
 * @throws UsageError naming FILE and the line.
 */
export function parseEnvFile(path: string, text: string): [string, string][] {
  const out: [string, string][] = []
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, index) => {
    const where = `${path}:${index + 1}`
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const m = /^(?:export\s+)?([^=\s]+)\s*=(.*)$/.exec(line)
    if (!m) throw new UsageError(`${where}: expected NAME=TEMPLATE`)
    const name = m[1]!
    checkName(name, where)
    let value = m[2]!.trim()
    const q = value[0]
    if (q === '"' || q === "'") {
      if (value.length < 2 || value[value.length - 1] !== q) throw new UsageError(`${where}: unterminated ${q === '"' ? 'double' : 'single'} quote`)
      value = value.slice(1, -1)
    }
    out.push([name, value])
  })
  return out
}

/** Reads an --env-file; an unreadable file is a usage error naming it. */
export function readEnvFile(path: string): [string, string][] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new UsageError(`--env-file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  return parseEnvFile(path, text)
}
