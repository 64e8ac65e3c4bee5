/** Small helpers shared by the benchmark scripts. */

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Runs a command to completion, returning wall time in ms; throws on a non-zero exit. */
export async function timeCommand(cmd: string[], options: { env?: Record<string, string>; stdin?: Uint8Array | string } = {}): Promise<number> {
  const t0 = performance.now()
  const proc = Bun.spawn(cmd, {
    env: options.env ?? (process.env as Record<string, string>),
    stdin: options.stdin === undefined ? 'ignore' : new Blob([options.stdin as BlobPart]),
    stdout: 'ignore',
    stderr: 'pipe',
  })
  const code = await proc.exited
  const ms = performance.now() - t0
  if (code !== 0) throw new Error(`${cmd.join(' ')} exited ${code}: ${await new Response(proc.stderr).text()}`)
  return ms
}

/** The machine, for the report. */
export function machine(): string {
  const os = require('node:os') as typeof import('node:os')
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Bun ${Bun.version}`
}

/**
 * Replaces the section `## title` (up to the next `## ` heading) of
 * docs/benchmarks.md with `body`, or appends it; other sections stay as they are.
 */
export async function writeSection(title: string, body: string): Promise<void> {
  const path = new URL('../docs/benchmarks.md', import.meta.url).pathname
  const file = Bun.file(path)
  let text = (await file.exists()) ? await file.text() : '# Benchmarks\n\nProduced by `npm run bench`; each section says how to rerun it alone. Figures are medians measured side by side in one run on the machine named; compare ratios, not absolute times.\n'
  const heading = `## ${title}\n`
  const section = `${heading}\n${body.trim()}\n`
  const start = text.indexOf(heading)
  if (start === -1) text = `${text.trimEnd()}\n\n${section}`
  else {
    const next = text.indexOf('\n## ', start + heading.length)
    text = text.slice(0, start) + section + (next === -1 ? '' : text.slice(next))
  }
  await Bun.write(path, text.endsWith('\n') ? text : `${text}\n`)
}
