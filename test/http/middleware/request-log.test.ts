import { describe, expect, test } from 'bun:test'
import { loggablePath } from '../../../src/http/middleware/request-log.ts'

describe('loggablePath: route words, names and asset names only', () => {
  const cases: Array<[string, string]> = [
    ['/secrets', '/secrets'],
    ['/secrets/GITHUB_TOKEN/access-log', '/secrets/GITHUB_TOKEN/access-log'],
    ['/secrets/GITHUB_TOKEN/rotate', '/secrets/GITHUB_TOKEN/rotate'],
    ['/settings/secrets', '/settings/secrets'],
    ['/assets/main-bgfpb088.js', '/assets/main-bgfpb088.js'],
    ['/', '/'],
    // A value where a name goes, a lowercase name, encoded tricks, an unknown route.
    ['/secrets/ghp_16C7e42F292c6912E7710c838347Ae178B4a', '/secrets/<redacted>'],
    ['/secrets/sk_live_abc/rotate', '/secrets/<redacted>/rotate'],
    ['/secrets/..%2F..%2Fsession', '/secrets/<redacted>'],
    ['/nowhere/SENTINEL-x-"q\\', '/<redacted>/<redacted>'],
    ['/a\nb', '/<redacted>'],
  ]
  for (const [path, logged] of cases) {
    test(`${JSON.stringify(path)} is logged as ${logged}`, () => {
      expect(loggablePath(path)).toBe(logged)
    })
  }
})
