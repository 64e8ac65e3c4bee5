/** Entry point of the `secrets` executable (bin/secrets runs it under Bun; dist/cli.js under Node). */
import { processIO } from './io.ts'
import { main } from './main.ts'

process.exitCode = await main(process.argv.slice(2), processIO())
