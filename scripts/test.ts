/**
 * `npm test`: runs every suite and ends with the line `N passed, N failed`
 * (`, N skipped` when any were skipped), which CI reads.
 *
 * bun test prints only `N pass` / `N fail` on stderr, so each suite writes
 * JUnit XML and this script adds the counts up. A suite whose runner exits
 * non-zero without reporting a failed test (an error outside any test, a
 * crash) counts as one failure, so a broken run can never read as green.
 *
 * The database matrix: unless TEST_POSTGRES_URL is already set, a throwaway
 * PostgreSQL cluster is started for the run (scripts/pg-cluster.ts) and
 * stopped after, so the store, service, CLI and HTTP suites run on SQLite
 * and PostgreSQL. Without PostgreSQL installed those suites are skipped,
 * unless REQUIRE_POSTGRES=1 (CI), which makes that a failure.
 *
 * Each test file but the UI ones runs in a fresh global object
 * (`--isolate`); the UI test files run together in a `bun test` of their own
 * (scripts/test-suites.ts says why).
 * Extra arguments go to one `bun test` of every file (for example a file
 * filter).
 */
import { mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { type PgCluster, startPgCluster } from './pg-cluster.ts'
import { testSuites } from './test-suites.ts'

interface Counts {
  passed: number
  failed: number
  skipped: number
}

const root = join(import.meta.dir, '..')
const outDir = join(root, '.test-results')
rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })

function countJUnit(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined
  const xml = readFileSync(file, 'utf8')
  const head = /<testsuites\b[^>]*>/.exec(xml)?.[0]
  if (!head) return undefined
  const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(head)?.[1] ?? 0)
  const tests = attr('tests')
  const failures = attr('failures') + attr('errors')
  const skipped = attr('skipped')
  return { passed: tests - failures - skipped, failed: failures, skipped }
}

async function run(label: string, cmd: string[], junit: string, env: Record<string, string | undefined>): Promise<Counts> {
  console.log(`\n# ${label}: ${cmd.join(' ')}`)
  const proc = Bun.spawn(cmd, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] })
  const code = await proc.exited
  // A runner without a JUnit report (a script that asserts and exits) counts as one test.
  const counts = countJUnit(junit) ?? { passed: code === 0 ? 1 : 0, failed: 0, skipped: 0 }
  if (code !== 0 && counts.failed === 0) {
    console.error(`# ${label}: exited with code ${code} without a failed test; counted as one failure`)
    counts.failed = 1
  }
  return counts
}

const suites = testSuites(root, process.execPath, outDir, process.argv.slice(2))

const total: Counts = { passed: 0, failed: 0, skipped: 0 }

// The Node build (dist/cli.js) and the UI bundle, which the integration suites run and serve.
console.log('# npm run build')
const build = Bun.spawn([process.execPath, join(root, 'scripts/build.ts')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
if ((await build.exited) !== 0) {
  console.error('# build failed: counted as one failure')
  total.failed++
}

// The build ran (or its failure was counted): suites that run dist/ must not skip.
const env: Record<string, string | undefined> = { ...process.env, REQUIRE_BUILD: '1' }
let cluster: PgCluster | undefined
if (!env.TEST_POSTGRES_URL) {
  try {
    cluster = await startPgCluster()
    env.TEST_POSTGRES_URL = cluster.url
    console.log(`# PostgreSQL: throwaway cluster at ${cluster.url}`)
  } catch (e) {
    console.log(`# PostgreSQL: not available (${(e as Error).message}); its suites are skipped`)
    if (process.env.REQUIRE_POSTGRES === '1') total.failed++
  }
}
// The type check counts as one test: a type error anywhere fails the run.
console.log('\n# typecheck: tsc --noEmit -p .')
const tsc = Bun.spawn([join(root, 'node_modules/.bin/tsc'), '--noEmit', '-p', '.'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
if ((await tsc.exited) === 0) total.passed++
else {
  console.error('# typecheck failed: counted as one failure')
  total.failed++
}

try {
  for (const { label, cmd, junit } of suites) {
    const c = await run(label, cmd, junit, env)
    total.passed += c.passed
    total.failed += c.failed
    total.skipped += c.skipped
  }
} finally {
  await cluster?.stop()
}

const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : ''
console.log(`\n${total.passed} passed, ${total.failed} failed${skipped}`)
process.exit(total.failed > 0 ? 1 : 0)
