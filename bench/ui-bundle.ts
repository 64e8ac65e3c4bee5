/**
 * The UI bundle's size, minified and gzip (target: at most 30 KB gzip for the
 * whole UI). Builds web/dist and writes the "UI bundle" section.
 *
 *   node_modules/.bin/bun bench/ui-bundle.ts
 */
import { buildWeb } from '../scripts/build-web.ts'
import { writeSection } from './lib.ts'

const result = await buildWeb({ quiet: true })
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`
const { sizes, paths } = result
const rows = [
  [paths.js, sizes.js],
  [paths.css, sizes.css],
  ['/settings/secrets (index.html)', sizes.html],
  [paths.icon, sizes.icon],
].map(([path, f]) => `| \`${path as string}\` | ${kb((f as { bytes: number }).bytes)} | ${kb((f as { gzip: number }).gzip)} |`)
const total = { min: sizes.total.bytes, gz: sizes.total.gzip }
const body = `Command: \`node_modules/.bin/bun bench/ui-bundle.ts\` (part of \`npm run bench\`), ${new Date().toISOString().slice(0, 10)}. Preact, signals and the whole UI, built by \`scripts/build-web.ts\` (Bun.build, minified).

| file | minified | gzip |
| --- | --- | --- |
${rows.join('\n')}
| **total** | **${kb(total.min)}** | **${kb(total.gz)}** |

Target: at most 30 KB gzip for the whole UI: ${total.gz <= 30_000 ? 'met' : 'MISSED'} (\`test/web\` fails the build test above it).`
console.log(body)
await writeSection('UI bundle', body)
