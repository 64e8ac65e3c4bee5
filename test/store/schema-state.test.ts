import { describe, expect, test } from 'bun:test'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '../../src/errors.ts'
import { MIGRATIONS } from '../../src/store/migrations.ts'
import { MIGRATION_NAMES, schemaState } from '../../src/store/schema-state.ts'

describe('schema-state', () => {
  test('MIGRATION_NAMES is every migration file, in order, and the Migrator list', () => {
    const files = readdirSync(join(import.meta.dir, '../../migrations'))
      .filter((f) => /^\d{4}_.*\.ts$/.test(f))
      .map((f) => f.slice(0, -3))
      .sort()
    expect([...MIGRATION_NAMES]).toEqual(files)
    expect(Object.keys(MIGRATIONS)).toEqual([...MIGRATION_NAMES])
  })

  test('each name runs its own file: the modules of migrations.ts are in the order of the names', async () => {
    for (const name of MIGRATION_NAMES) {
      const own = await import(join(import.meta.dir, '../../migrations', `${name}.ts`))
      expect(MIGRATIONS[name]!.up).toBe(own.up)
      expect(MIGRATIONS[name]!.down).toBe(own.down)
    }
  })

  test('current only with the latest applied; behind without a table or with some left', () => {
    expect(schemaState([...MIGRATION_NAMES])).toBe('current')
    expect(schemaState(undefined)).toBe('behind')
    expect(schemaState(MIGRATION_NAMES.slice(0, -1))).toBe('behind')
  })

  test('a migration this build does not know is refused, named', () => {
    expect(() => schemaState([...MIGRATION_NAMES, '0999_from_the_future'])).toThrow(ConfigError)
    expect(() => schemaState([...MIGRATION_NAMES, '0999_from_the_future'])).toThrow(/0999_from_the_future/)
  })
})
