/** Entry point of the `secrets` executable (bin/secrets runs it under Bun; dist/cli.js under Node). */
import { processIO } from './io.ts'
import { main } from './main.ts'
import { deferShutdown } from './shutdown.ts'

const argv = process.argv.slice(2)
const io = processIO()
// `serve` drains its own requests; `run` passes the signals on to its command.
if (argv[0] !== 'serve' && argv[0] !== 'run') deferShutdown(io.stderr)
process.exitCode = await main(argv, io)
