import { UsageError } from './command.ts'

/** `--if-version N`: a whole number from 0 (must not exist yet) up, or undefined when not given. */
export function parseIfVersion(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) > 2 ** 31 - 1) {
    throw new UsageError('--if-version must be a whole number: the version you read (`secrets versions NAME`), or 0 for "must not exist yet"')
  }
  return Number(text)
}
