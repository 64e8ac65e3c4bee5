import { type Command, parseCommandArgs } from '../command.ts'
import { EXIT } from '../exit-codes.ts'

// Placeholder until the substituter lands (issue 3): refuses clearly.
const render: Command = {
  help: `Usage: secrets render --accessor WHO --reason WHY [IN [OUT]]\n`,
  async run(args) {
    parseCommandArgs(args, { accessor: { type: 'string' }, reason: { type: 'string' }, check: { type: 'boolean' } }, { min: 0, max: 2, names: '' })
    return EXIT.failure
  },
}
export default render
