/**
 * The README and the benchmark docs never ask for a global Bun: every command
 * they show that runs a project file or a Bun subcommand names the project's
 * own (`node_modules/.bin/bun`, which `npm install` puts there) or goes
 * through npm. Table rows that describe what was measured (`bun -e ''`) are
 * not commands to type and are not matched.
 */
import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../helpers/builds.ts'

// `bun` as a command word at the start of a code span or line (after any VAR=value), running a file or a subcommand.
const GLOBAL_BUN = /(?:^|`|\$ )(?:[A-Z_]+=\S+\s+)*bun\s+(?:test|run|x|install|add|scripts\/|bench\/|src\/|web\/|test\/)/gm

test.each(['README.md', 'docs/benchmarks.md'])('%s calls the project\'s own Bun, never a global one', (file) => {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const hits = text.split('\n').flatMap((line, i) => (line.match(GLOBAL_BUN) ? [`${file}:${i + 1}: ${line.trim()}`] : []))
  expect(hits).toEqual([])
})

test('docs/benchmarks.md lists the tools the benchmarks run, with their Debian packages', () => {
  const text = readFileSync(join(ROOT, 'docs/benchmarks.md'), 'utf8')
  const prerequisites = text.slice(text.indexOf('## Prerequisites'), text.indexOf('\n## ', text.indexOf('## Prerequisites') + 1))
  for (const row of ['| `wrk` | `wrk` |', '| `envsubst` | `gettext-base` |', '| `time` |', '| `hyperfine` | `hyperfine` |']) expect(prerequisites).toContain(row)
  expect(prerequisites).toContain('apt-get install -y wrk gettext-base time hyperfine')
})
