/** Entry point of the `secrets` executable (bin/secrets runs it under Bun; dist/cli.js under Node). */
import { processIO } from './io.ts'
import { main } from './main.ts'
import { deferShutdown } from './shutdown.ts'

const argv = process.argv.slice(2)
const io = processIO()
if (argv[0] !== 'serve') deferShutdown(io.stderr)
process.exitCode = await main(argv, io)
