/**
 * Strict command-line parsing with the results and the messages of
 * node:util `parseArgs` for the part of it the commands use: long options
 * (`--name VALUE`, `--name=VALUE`) of type string or boolean, `multiple`,
 * positionals, `--`. Not node:util itself because loading that module costs
 * a CLI process about 1.5 ms of its start-up (on Bun 1.4, measured
 * in-process), more than everything else a small render's argument handling
 * does; no small argument library in the dependencies is strict in the same
 * way. test/cli/parse-args.test.ts holds it to node:util's results, refusals
 * and messages on the same inputs.
 */

/** One option: what `parseArgs` calls its type, and whether it may repeat. */
export interface OptionSpec {
  type: 'string' | 'boolean'
  multiple?: boolean
}

type ValueOf<O extends OptionSpec> = O['type'] extends 'string' ? string : boolean

/** The values of the options given, as `parseArgs` returns them (no prototype). */
export type OptionValues<T extends Record<string, OptionSpec>> = {
  -readonly [K in keyof T]?: T[K]['multiple'] extends true ? ValueOf<T[K]>[] : ValueOf<T[K]>
}

/** A command line that the options refuse; the message is node:util's. */
export class ArgsError extends Error {}

const own = (options: Record<string, OptionSpec>, name: string): OptionSpec | undefined =>
  Object.hasOwn(options, name) ? options[name] : undefined

function unknown(raw: string, allowPositionals: boolean): ArgsError {
  // The hint about `--` only where a positional could be meant.
  const hint = allowPositionals ? `. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- "${raw}"` : ''
  return new ArgsError(`Unknown option '${raw}'${hint}`)
}

/**
 * Parses `args` against `options`, strictly: an unknown option, a missing
 * or dash-led value of a string option (unless given as `--name=-x`), a value
 * given to a boolean, or a positional where none is allowed throws.
 * @throws ArgsError, with node:util parseArgs' message for the same input.
 */
export function parseStrictArgs<T extends Record<string, OptionSpec>>(
  args: readonly string[],
  options: T,
  allowPositionals: boolean,
): { values: OptionValues<T>; positionals: string[] } {
  const values: Record<string, unknown> = Object.create(null)
  const positionals: string[] = []
  const positional = (arg: string) => {
    if (!allowPositionals) throw new ArgsError(`Unexpected argument '${arg}'. This command does not take positional arguments`)
    positionals.push(arg)
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--') {
      for (const rest of args.slice(i + 1)) positional(rest)
      break
    }
    if (arg.length < 2 || arg[0] !== '-') {
      positional(arg)
      continue
    }
    // Short options: the commands define none (`-h` is main.ts's). parseArgs
    // names a lone one with its dash and the first of a group without.
    if (arg[1] !== '-') throw unknown(arg.length === 2 ? arg : arg[1]!, allowPositionals)
    const eq = arg.indexOf('=', 3)
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
    const spec = own(options, name)
    if (!spec) throw unknown(`--${name}`, allowPositionals)
    let value: string | undefined
    let inline = false
    if (eq !== -1) {
      value = arg.slice(eq + 1)
      inline = true
    } else if (spec.type === 'string' && i + 1 < args.length) {
      value = args[++i]!
    }
    if (spec.type === 'string') {
      if (value === undefined) throw new ArgsError(`Option '--${name} <value>' argument missing`)
      if (!inline && value.length > 1 && value[0] === '-') {
        throw new ArgsError(
          `Option '--${name}' argument is ambiguous.\nDid you forget to specify the option argument for '--${name}'?\nTo specify an option argument starting with a dash use '--${name}=-XYZ'.`,
        )
      }
    } else if (value !== undefined) {
      throw new ArgsError(`Option '--${name}' does not take an argument`)
    }
    const stored = spec.type === 'string' ? value : true
    if (spec.multiple) ((values[name] as unknown[] | undefined) ?? (values[name] = [])).push(stored)
    else values[name] = stored
  }
  return { values: values as OptionValues<T>, positionals }
}
