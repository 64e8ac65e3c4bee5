/**
 * Preloaded before every test file (bunfig.toml `[test] preload`). Bun reads
 * no `timeout` key from bunfig.toml, so the suite's per-test timeout is set
 * here; test/setup.test.ts proves it is in force.
 */
import { setDefaultTimeout } from 'bun:test'
import { TEST_TIMEOUT_MS } from './helpers/depth.ts'

setDefaultTimeout(TEST_TIMEOUT_MS)
;(globalThis as Record<symbol, unknown>)[Symbol.for('claude-hooks-secrets.test-timeout')] = TEST_TIMEOUT_MS
