/** Sample API data for UI tests, shaped exactly like docs/http-api.md. */
import type { AccessLogEntry, Secret } from '../../web/src/types.ts'

/** The current master key id in every fixture. */
export const CURRENT_KEY = '3f2a9c0d11b2e4f5'
/** A previous master key id. */
export const OLD_KEY = '0a1b2c3d4e5f6071'

const DAY = 24 * 3600 * 1000

/** ISO time `days` days before now. */
export function daysAgo(days: number, now = Date.now()): string {
  return new Date(now - days * DAY).toISOString()
}

/** One Secret with sensible defaults. */
export function secretFixture(overrides: Partial<Secret> = {}): Secret {
  const at = overrides.rotated_at ?? daysAgo(3)
  return {
    name: 'GITHUB_TOKEN',
    description: 'forge token for the CI bot',
    created_at: at,
    updated_at: at,
    rotated_at: at,
    key_id: CURRENT_KEY,
    key_current: true,
    version: 1,
    ...overrides,
  }
}

/** Three secrets, one still under the old key. */
export function sampleSecrets(): Secret[] {
  return [
    secretFixture({ name: 'ANTHROPIC_API_KEY', description: 'model access for hooks', rotated_at: daysAgo(12) }),
    secretFixture(),
    secretFixture({ name: 'SLACK_WEBHOOK', description: null, rotated_at: daysAgo(40), key_id: OLD_KEY, key_current: false }),
  ]
}

/** An access-log entry. */
export function entryFixture(id: number, overrides: Partial<AccessLogEntry> = {}): AccessLogEntry {
  return {
    id,
    at: new Date(Date.now() - id * 60_000).toISOString(),
    action: 'read',
    accessor: 'render:ci',
    reason: 'render mcp.json',
    outcome: 'ok',
    ...overrides,
  }
}
