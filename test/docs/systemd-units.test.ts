/**
 * The unit files in docs/systemd/: `systemd-analyze verify` accepts them
 * and `systemd-analyze security` rates them 3.0 or better, where
 * systemd-analyze is installed (skipped with one line where it is not).
 * The units name /opt/claude-hooks-secrets; verify checks that ExecStart
 * is executable, so the copies checked here point at this checkout.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../helpers/context.ts'

const ROOT = join(import.meta.dir, '..', '..')
const ANALYZE = '/usr/bin/systemd-analyze'
const UNITS = ['claude-hooks-secrets.service', 'claude-hooks-secrets-credential.service']
const installed = existsSync(ANALYZE)
if (!installed) console.log(`skipped: systemd-analyze verify/security of docs/systemd/*.service (${ANALYZE} is not installed)`)

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir()
  for (const unit of UNITS) {
    const text = readFileSync(join(ROOT, 'docs', 'systemd', unit), 'utf8').replaceAll('/opt/claude-hooks-secrets', ROOT)
    writeFileSync(join(tmp.dir, unit), text)
  }
})
afterAll(() => tmp.cleanup())

async function analyze(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([ANALYZE, ...args], { cwd: tmp.dir, stdout: 'pipe', stderr: 'pipe', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SYSTEMD_COLORS: '0' } })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, stdout, stderr }
}

describe('docs/systemd units', () => {
  for (const unit of UNITS) {
    test(`${unit}: one ExecStart, LimitCORE=0, the key from one source`, () => {
      const text = readFileSync(join(ROOT, 'docs', 'systemd', unit), 'utf8')
      const lines = text.split('\n').filter((l) => !l.startsWith('#'))
      expect(lines.filter((l) => l.startsWith('ExecStart=')).length).toBe(1)
      expect(lines).toContain('LimitCORE=0')
      const keyLines = lines.filter((l) => /^(LoadCredential|LoadCredentialEncrypted)=claude-hooks-secret-key:|^EnvironmentFile=.*secrets\.env$/.test(l))
      expect(keyLines.length).toBe(1)
    })

    test.skipIf(!installed)(`${unit}: systemd-analyze verify accepts it`, async () => {
      const r = await analyze(['verify', join(tmp.dir, unit)])
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
    })

    test.skipIf(!installed)(`${unit}: systemd-analyze security rates it 3.0 or better`, async () => {
      const r = await analyze(['security', '--offline=true', '--no-pager', join(tmp.dir, unit)])
      const m = /Overall exposure level for \S+: (\d+\.\d)/.exec(r.stdout)
      expect(m).not.toBeNull()
      expect(Number(m![1])).toBeLessThanOrEqual(3.0)
    })
  }
})
