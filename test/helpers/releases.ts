import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './builds.ts'

/** One line of RELEASES: a version, the commit it was cut from, the day (UTC). */
export interface Release {
  version: string
  commit: string
  date: string
}

/** The releases recorded in RELEASES, oldest first; throws naming the line that does not parse. */
export function readReleases(file = join(ROOT, 'RELEASES')): Release[] {
  const releases: Release[] = []
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '' || line.startsWith('#')) return
      const m = /^(\d+\.\d+\.\d+) ([0-9a-f]{40}) (\d{4}-\d{2}-\d{2})$/.exec(line)
      if (!m) throw new Error(`RELEASES line ${i + 1}: expected "VERSION COMMIT(40 hex) YYYY-MM-DD", got ${JSON.stringify(line)}`)
      releases.push({ version: m[1]!, commit: m[2]!, date: m[3]! })
    })
  return releases
}

/** Runs git in the repository; its trimmed stdout, or undefined when it fails. */
export function git(...args: string[]): string | undefined {
  const proc = Bun.spawnSync(['git', '-C', ROOT, ...args], { stdout: 'pipe', stderr: 'pipe' })
  return proc.exitCode === 0 ? proc.stdout.toString().trim() : undefined
}

/**
 * Why the history needed to build `commit` is not here (a shallow clone, a
 * commit not fetched), or undefined when it is.
 */
export function historyMissing(commit: string): string | undefined {
  if (git('rev-parse', '--is-shallow-repository') === 'true') {
    return `this clone is shallow, so release commit ${commit} cannot be built; fetch the history (\`git fetch --unshallow\`)`
  }
  if (git('cat-file', '-e', `${commit}^{commit}`) === undefined) {
    return `release commit ${commit} is not in this clone's history; fetch it (\`git fetch origin ${commit}\`)`
  }
  return undefined
}

/** Under `npm test` (REQUIRE_BUILD=1) and CI a missing history is a failure, not a skip. */
export const HISTORY_REQUIRED = process.env.REQUIRE_BUILD === '1' || (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false')

/** Compares two x.y.z versions (the part before any `-pre`): negative, 0 or positive. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split('-')[0]!.split('.').map(Number)
  const [pa, pb] = [parts(a), parts(b)]
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!
  return 0
}
