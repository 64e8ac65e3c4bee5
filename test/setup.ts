/**
 * Preloaded once before the test files (bunfig.toml `[test] preload`).
 *
 * The suite's per-test timeout (TEST_TIMEOUT_MS, test/helpers/depth.ts).
 * Bun reads no `timeout` key from bunfig.toml, and `setDefaultTimeout` is
 * file-scoped: called here it reaches only the first file of a run (Bun
 * resets it after each file). So a loader plugin puts the call at the top
 * of every test file as it is loaded, on the file's first line so that line
 * numbers in failures stay true. test/setup.test.ts proves it over two files.
 */
import { setDefaultTimeout } from 'bun:test'
import { TEST_TIMEOUT_MS } from './helpers/depth.ts'

setDefaultTimeout(TEST_TIMEOUT_MS)

const PREFIX = `import { setDefaultTimeout as __suiteTimeout } from 'bun:test'; __suiteTimeout(${TEST_TIMEOUT_MS});`

Bun.plugin({
  name: 'suite-timeout',
  setup(build) {
    build.onLoad({ filter: /\.(test|spec|probe)\.(ts|tsx)$/ }, async ({ path }) => ({
      contents: PREFIX + (await Bun.file(path).text()),
      loader: path.endsWith('x') ? 'tsx' : 'ts',
    }))
  },
})
