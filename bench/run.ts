/**
 * `npm run bench`: every benchmark, one after another (never in parallel:
 * they measure the same 2 cores), each rewriting its own section of
 * docs/benchmarks.md. Pass names to run some: `npm run bench -- startup rotation`.
 *
 *   substituter  `secrets render` vs `cat | cat` and GNU envsubst (64 and 512 MiB corpora)
 *   http         authenticated GET /secrets and /healthz vs a bare Hono app (wrk, loopback)
 *   rotation     `secrets rotate --all` over 100,000 secrets; audit-chain appends
 *   startup      command latency vs a bare `bun -e ''`
 *   ui-bundle    the UI's size, minified and gzip
 *   load         60 s of concurrent renders, HTTP reads and writes on one server; audit rows checked
 *   fuzz         60 s of random inputs through Substituter, renderStream and renderFile vs the reference
 *   speed        issue 19's table: small render vs a floor script, sparse and dense vs cat and envsubst, peak RSS
 */
import { join } from 'node:path'

const ALL: Record<string, string[]> = {
  substituter: ['bench/substituter.ts'],
  http: ['bench/http.ts'],
  speed: ['bench/speed.ts'],
  rotation: ['bench/rotation.ts'],
  startup: ['bench/startup.ts'],
  'ui-bundle': ['bench/ui-bundle.ts'],
  load: ['bench/load.ts'],
  fuzz: ['bench/fuzz.ts'],
  delivery: ['bench/delivery.ts'],
}
/** Tools from outside npm that a benchmark runs, with the Debian package that has each (docs/benchmarks.md, "Prerequisites"). */
const NEEDS: Record<string, Array<[tool: string, debianPackage: string]>> = {
  substituter: [
    ['envsubst', 'gettext-base'],
    ['/usr/bin/time', 'time'],
  ],
  http: [['wrk', 'wrk']],
}
const root = join(import.meta.dir, '..')
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(ALL)
const lacking = chosen.flatMap((name) => (NEEDS[name] ?? []).filter(([tool]) => Bun.which(tool) === null).map(([tool, pkg]) => `${tool} (${pkg}, for ${name})`))
if (lacking.length > 0) {
  const packages = [...new Set(chosen.flatMap((name) => (NEEDS[name] ?? []).filter(([tool]) => Bun.which(tool) === null).map(([, pkg]) => pkg)))]
  console.error(`missing: ${lacking.join(', ')}; install with \`apt-get install -y ${packages.join(' ')}\` (docs/benchmarks.md, "Prerequisites")`)
  process.exit(2)
}
let failed = 0
for (const name of chosen) {
  const args = ALL[name]
  if (!args) {
    console.error(`unknown benchmark "${name}"; choose from ${Object.keys(ALL).join(', ')}`)
    process.exit(2)
  }
  console.log(`\n=== ${name}: bun ${args.join(' ')}`)
  const proc = Bun.spawn([process.execPath, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
  if ((await proc.exited) !== 0) {
    console.error(`=== ${name} failed`)
    failed++
  }
}
process.exit(failed > 0 ? 1 : 0)
