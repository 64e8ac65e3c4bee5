import { expect, test } from 'bun:test'
import { TEST_TIMEOUT_MS } from './helpers/depth.ts'

// Bun's own default is 5 s; the preload must have replaced it for every file.
test('the preload applied the suite timeout', () => {
  expect((globalThis as Record<symbol, unknown>)[Symbol.for('claude-hooks-secrets.test-timeout')]).toBe(TEST_TIMEOUT_MS)
  expect(TEST_TIMEOUT_MS).toBeGreaterThan(5_000)
})

// Runs past Bun's 5 s default with no timeout of its own: passes only when the preload's timeout is in force.
test('a test may run past Bun\'s 5 s default', async () => {
  await Bun.sleep(5_300)
})
