/**
 * The release record agrees with itself: RELEASES (the source of truth),
 * CHANGELOG.md, package.json's version, the local tags when present, and the
 * migrations every release shipped, which are never edited afterwards.
 */
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../helpers/builds.ts'
import { compareVersions, git, HISTORY_REQUIRED, historyMissing, readReleases } from '../helpers/releases.ts'

const releases = readReleases()
const last = releases.at(-1)!
const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
const missing = releases.map((r) => historyMissing(r.commit)).find((reason) => reason !== undefined)
if (missing && !HISTORY_REQUIRED) console.warn(`test/release/releases.test.ts: history checks SKIPPED: ${missing}`)

describe('RELEASES, CHANGELOG.md and package.json', () => {
  test('RELEASES starts at 0.1.0 on dd1d5d1, and versions only go up', () => {
    expect(releases[0]).toEqual({ version: '0.1.0', commit: 'dd1d5d18aec0a4158687ad47c3a957bf10aeb0bb', date: '2026-11-28' })
    for (let i = 1; i < releases.length; i++) {
      expect(compareVersions(releases[i]!.version, releases[i - 1]!.version)).toBeGreaterThan(0)
      expect(releases[i]!.date >= releases[i - 1]!.date).toBe(true)
    }
  })

  test('CHANGELOG.md has an Unreleased section first, then one section per release with its date, newest first', () => {
    const headings = [...changelog.matchAll(/^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?/gm)].map((m) => [m[1], m[2]])
    expect(headings[0]).toEqual(['Unreleased', undefined])
    expect(headings.slice(1)).toEqual(releases.map((r) => [r.version, r.date]).reverse())
  })

  test('package.json: the last release, or the next version with -dev while it is unreleased', () => {
    if (version === last.version) return
    expect(version).toMatch(/^\d+\.\d+\.\d+-dev$/)
    expect(compareVersions(version, last.version)).toBeGreaterThan(0)
  })
})

// Under npm test and CI a clone without the history fails here, once, with the reason; elsewhere it is skipped with a warning.
test.skipIf(missing !== undefined && !HISTORY_REQUIRED)('the history holds every release commit', () => {
  expect(missing).toBeUndefined()
})

describe.skipIf(missing !== undefined)('releases in git history', () => {

  test("each release's date is its commit's day (UTC), and a local tag v<version>, where there is one, names that commit", () => {
    for (const r of releases) {
      const day = new Date(Number(git('show', '-s', '--format=%ct', r.commit)) * 1000).toISOString().slice(0, 10)
      expect(`${r.version} ${day}`).toBe(`${r.version} ${r.date}`)
      const tagged = git('rev-parse', '--verify', '--quiet', `refs/tags/v${r.version}^{commit}`)
      if (tagged !== undefined) expect(`v${r.version} -> ${tagged}`).toBe(`v${r.version} -> ${r.commit}`)
    }
  })

  test('no migration a release shipped was edited or removed since (a change is a new migration)', () => {
    const shipped = git('ls-tree', '-r', last.commit, 'migrations/')!.split('\n').filter(Boolean)
    expect(shipped.length).toBeGreaterThan(0)
    for (const line of shipped) {
      const [, , , blob, path] = /^(\d+) (\w+) ([0-9a-f]+)\t(.+)$/.exec(line)!
      const now = git('hash-object', '--', path!)
      expect(`${path} ${now ?? 'removed'}`).toBe(`${path} ${blob}`)
    }
  })
})
