/**
 * The README's promise: after `npm install`, `npm start` runs the service
 * on the embedded SQLite default, and `npm run start:node` on the Node build.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { nodeBuildRuns } from '../helpers/builds.ts'
import { tempDir } from '../helpers/context.ts'
import { randomKey } from '../helpers/keys.ts'
import { startServe } from '../helpers/serve.ts'

const ROOT = join(import.meta.dir, '..', '..')
let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir()
})
afterAll(() => tmp.cleanup())

describe('npm scripts that run the service', () => {
  const nodeRuns = nodeBuildRuns('npm-start')
  for (const script of ['start', 'start:node']) {
    test.skipIf(script === 'start:node' && !nodeRuns)(`npm run ${script} serves /healthz and stops on SIGTERM`, async () => {
      const env = {
        CLAUDE_HOOKS_SECRET_KEY: randomKey(),
        DATABASE_URL: `file:${join(tmp.dir, `${script.replace(':', '-')}.db`)}`,
        PORT: '0',
        HOME: process.env.HOME ?? '/tmp',
      }
      // npm's own start-up and the runtime's: started from the repository root like a user would.
      const server = await startServe(['npm', 'run', '--silent', '--prefix', ROOT, script], env)
      try {
        const res = await fetch(`${server.base}/healthz`)
        expect(res.status).toBe(200)
        expect(await res.json()).toEqual({ status: 'ok' })
      } finally {
        // The script execs the runtime, so npm's forwarded SIGTERM reaches the server itself.
        expect(await server.stop()).toBe(0)
      }
    })
  }
})
