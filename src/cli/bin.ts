/**
 * Entry point of the `secrets` executable (bin/secrets runs it under Bun,
 * or its bundle, bundle/launch.ts; dist/cli.js under Node). No top-level
 * await: the Bun bundle is CommonJS, which bytecode needs.
 */
import { processIO } from './io.ts'
import { main } from './main.ts'
import { deferShutdown } from './shutdown.ts'

const argv = process.argv.slice(2)
const io = processIO()
// `serve` drains its own requests; `run` passes the signals on to its command.
if (argv[0] !== 'serve' && argv[0] !== 'run') deferShutdown(io.stderr)
void main(argv, io).then((code) => {
  process.exitCode = code
})
