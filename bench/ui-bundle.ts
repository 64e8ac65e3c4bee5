/**
 * The UI bundle's size, minified and gzip (target: opening the console
 * fetches at most 30 KB gzip; the lazy parts are listed beside it). Builds
 * web/dist and writes the "UI bundle" section.
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
const lazy = Object.entries(sizes.lazy).map(([path, f]) => `| \`${path}\` (later) | ${kb(f.bytes)} | ${kb(f.gzip)} |`)
const first = sizes.firstLoad
const body = `Command: \`node_modules/.bin/bun bench/ui-bundle.ts\` (part of \`npm run bench\`), ${new Date().toISOString().slice(0, 10)}. Preact, signals and the whole UI, built by \`scripts/build-web.ts\` (Bun.build, minified, split: the Activity and Clients pages and the History, Edit description and Access log drawers are fetched when first shown).

| file | minified | gzip |
| --- | --- | --- |
${rows.join('\n')}
| **first load** | **${kb(first.bytes)}** | **${kb(first.gzip)}** |
${lazy.join('\n')}
| all files | ${kb(sizes.total.bytes)} | ${kb(sizes.total.gzip)} |

Target: opening the console fetches at most 30 KB gzip: ${first.gzip <= 30 * 1024 ? 'met' : 'MISSED'} (\`test/web\` fails the build test above it).`
console.log(body)
await writeSection('UI bundle', body)
