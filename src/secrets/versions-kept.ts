import { ConfigError } from '../errors.ts'

/** How many previous versions of each secret are kept when SECRET_VERSIONS_KEPT is not set. */
export const DEFAULT_VERSIONS_KEPT = 10

/**
 * `SECRET_VERSIONS_KEPT`: how many previous versions of each secret are kept, 0 to 1000.
 * @throws ConfigError naming the variable.
 */
export function versionsKeptFrom(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.SECRET_VERSIONS_KEPT
  if (text === undefined || text === '') return DEFAULT_VERSIONS_KEPT
  if (!/^[0-9]{1,4}$/.test(text) || Number(text) > 1000) {
    throw new ConfigError('SECRET_VERSIONS_KEPT must be a whole number from 0 to 1000 (previous versions kept per secret; default 10)')
  }
  return Number(text)
}
