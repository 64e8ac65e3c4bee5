import { describe, expect, test } from 'bun:test'
import { formatExactTime, formatRelativeTime } from '../../web/src/relative-time.ts'

const now = Date.parse('2026-11-28T13:45:00.000Z')
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString()

describe('formatRelativeTime', () => {
  test.each([
    [0, 'just now'],
    [59, 'just now'],
    [60, '1 minute ago'],
    [5 * 60, '5 minutes ago'],
    [3600, '1 hour ago'],
    [3 * 86400, '3 days ago'],
    [7 * 86400, '1 week ago'],
    [45 * 86400, '1 month ago'],
    [400 * 86400, '1 year ago'],
    [-120, 'in 2 minutes'],
  ] as const)('%p s ago → %p', (seconds, text) => {
    expect(formatRelativeTime(ago(seconds), now)).toBe(text)
  })

  test('an unparseable time says so instead of NaN', () => {
    expect(formatRelativeTime('not a time', now)).toBe('unknown time')
  })
})

describe('formatExactTime', () => {
  test('UTC, to the second', () => {
    expect(formatExactTime('2026-11-28T13:45:00.123Z')).toBe('2026-11-28 13:45:00 UTC')
  })
})
