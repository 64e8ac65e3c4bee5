/**
 * The variables `secrets run` sets: `--env NAME=TEMPLATE` and the dotenv
 * lines of `--env-file FILE`, checked before anything is decrypted.
 */
import { readFileSync } from 'node:fs'
import { MalformedPlaceholderError } from '../../errors.ts'
import { UsageError } from '../command.ts'
import { WITHHELD } from './child-env.ts'
import { fileProblem } from '../file-problem.ts'

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function checkName(name: string, where: string): void {
  if (!NAME.test(name)) throw new UsageError(`${where}: "${name}" is not a variable name (letters, digits, _; not starting with a digit)`)
  if (WITHHELD.includes(name)) throw new UsageError(`${where}: ${name} is never passed to the command`)
}

/** 1st, 2nd, 3rd, 4th, 11th, 21st. */
function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13
  return `${n}${teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`
}

/**
 * `NAME=TEMPLATE` of one --env, the `nth` on the command line. A word
 * without `=` is not echoed: it may be a value pasted where NAME=TEMPLATE belongs.
 */
export function parseEnvOption(spec: string, nth: number): [string, string] {
  const eq = spec.indexOf('=')
  if (eq < 0) throw new UsageError(`--env (the ${ordinal(nth)}): expected NAME=TEMPLATE; the argument has no "=" and is not shown`)
  const name = spec.slice(0, eq)
  checkName(name, '--env')
  return [name, spec.slice(eq + 1)]
}

/**
 * Dotenv lines: `NAME=TEMPLATE`, an optional `export ` before NAME, the
 * value optionally in single or double quotes (taken literally: no escapes,
 * no inline comments); `#` comment lines and blank lines are skipped.
 * `at`, when given, hears where each value starts in the file (1-based line
 * and byte column; what precedes a value is ASCII).
 * @throws UsageError naming FILE and the line.
 */
export function parseEnvFile(path: string, text: string, at?: (name: string, line: number, column: number) => void): [string, string][] {
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
    // Column of the value's first character: the line's indent, up to the `=`, the blanks after it.
    let column = raw.length - raw.trimStart().length + line.indexOf('=') + 1 + (m[2]!.length - m[2]!.trimStart().length) + 1
    const q = value[0]
    if (q === '"' || q === "'") {
      if (value.length < 2 || value[value.length - 1] !== q) throw new UsageError(`${where}: unterminated ${q === '"' ? 'double' : 'single'} quote`)
      value = value.slice(1, -1)
      column++
    }
    at?.(name, index + 1, column)
    out.push([name, value])
  })
  return out
}

/** Reads an --env-file; an unreadable file is a usage error naming it. `at` as for parseEnvFile. */
export function readEnvFile(path: string, at?: (name: string, line: number, column: number) => void): [string, string][] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new UsageError(`cannot read --env-file ${path}: ${code === undefined ? (e as Error).message : `${fileProblem(code)} (${code})`}`)
  }
  return parseEnvFile(path, text, at)
}

/** Where a variable's template came from: an --env-file's path and the value's start there. */
export interface TemplateOrigin {
  path: string
  line: number
  column: number
}

/**
 * A malformed placeholder in a template read from an --env-file, placed in
 * that file: the error's line and column count from the value's start
 * (a value is one line), so they are moved to the file's.
 */
export function placeInFile(e: MalformedPlaceholderError, name: string, origin: TemplateOrigin): MalformedPlaceholderError {
  const detail = e.message.replace(/^(?:[A-Za-z_][A-Za-z0-9_]*: )?malformed placeholder at line \d+, column \d+: /, '')
  const placed = new MalformedPlaceholderError(origin.line, origin.column + e.column - 1, detail)
  placed.message = `${origin.path}: ${name}: ${placed.message}`
  return placed
}
