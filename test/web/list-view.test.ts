import { describe, expect, test } from 'bun:test'
import { applyView, DEFAULT_VIEW, formatView, parseView } from '../../web/src/models/list-view.ts'
import { daysAgo, secretFixture } from './fixtures.ts'

describe('list view in the query string', () => {
  test.each([
    ['', DEFAULT_VIEW],
    ['?q=git', { filter: 'git', sort: 'name', dir: 'asc' }],
    ['?sort=read&dir=desc', { filter: '', sort: 'read', dir: 'desc' }],
    ['?sort=value&dir=up', DEFAULT_VIEW],
    ['?q=%24%7BSECRET%3AX%7D&sort=rotated&dir=asc', { filter: '${SECRET:X}', sort: 'rotated', dir: 'asc' }],
  ] as const)('parses %p', (search, view) => {
    expect(parseView(search)).toEqual(view)
  })

  test('formats only what differs from the default, and keeps other parameters', () => {
    expect(formatView(DEFAULT_VIEW)).toBe('')
    expect(formatView({ filter: 'a b', sort: 'name', dir: 'asc' })).toBe('?q=a+b')
    expect(formatView({ filter: '', sort: 'rotated', dir: 'desc' }, '?tab=x&q=old')).toBe('?tab=x&sort=rotated&dir=desc')
    for (const view of [{ filter: 'x', sort: 'read', dir: 'asc' }, DEFAULT_VIEW] as const) expect(parseView(formatView(view))).toEqual(view)
  })
})

describe('applyView', () => {
  const secrets = [
    secretFixture({ name: 'B', rotated_at: daysAgo(1), last_read: null }),
    secretFixture({ name: 'A', rotated_at: daysAgo(2), last_read: { at: daysAgo(3), accessor: 'cli:x' } }),
    secretFixture({ name: 'C', rotated_at: daysAgo(2), description: 'the Alpha one', last_read: { at: daysAgo(1), accessor: 'cli:y' } }),
  ]
  const names = (view: Parameters<typeof applyView>[1]) => applyView(secrets, view).map((s) => s.name)

  test('sorts by name, rotation or last read, ties by name, never-read first going up', () => {
    expect(names(DEFAULT_VIEW)).toEqual(['A', 'B', 'C'])
    expect(names({ filter: '', sort: 'name', dir: 'desc' })).toEqual(['C', 'B', 'A'])
    expect(names({ filter: '', sort: 'rotated', dir: 'desc' })).toEqual(['B', 'A', 'C'])
    expect(names({ filter: '', sort: 'read', dir: 'asc' })).toEqual(['B', 'A', 'C'])
    expect(names({ filter: '', sort: 'read', dir: 'desc' })).toEqual(['C', 'A', 'B'])
  })

  test('filters by name or description in any case, and never reorders the input', () => {
    expect(names({ filter: ' alpha ', sort: 'name', dir: 'asc' })).toEqual(['C'])
    expect(names({ filter: 'a', sort: 'name', dir: 'asc' })).toEqual(['A', 'C'])
    expect(secrets.map((s) => s.name)).toEqual(['B', 'A', 'C'])
  })
})
