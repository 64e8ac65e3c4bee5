import { readFileSync } from 'node:fs'

/**
 * The login name of `uid` in passwd(5) text, or undefined when no line has
 * that uid. Pure, for tests.
 */
export function loginNameOf(uid: number, passwd: string): string | undefined {
  for (const line of passwd.split('\n')) {
    const [name, , id] = line.split(':')
    if (name && id !== undefined && Number(id) === uid && /^\d+$/.test(id)) return name
  }
  return undefined
}

/**
 * Who runs this process, from the real user id: the login name `/etc/passwd`
 * gives that uid, else `uid:N`. Never `$USER` or `os.userInfo()` (Bun's
 * follows `$USER`): anyone can set an environment variable.
 */
export function processUser(passwdPath = '/etc/passwd'): string {
  const uid = process.getuid?.()
  if (uid === undefined) return 'unknown'
  let passwd = ''
  try {
    passwd = readFileSync(passwdPath, 'utf8')
  } catch {
    // No passwd file (some containers): the number still names the user.
  }
  return loginNameOf(uid, passwd) ?? `uid:${uid}`
}
