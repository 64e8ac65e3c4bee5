/**
 * The runbooks of docs/deploy.md, run as written: the shell blocks are
 * taken from the page, only the paths (and the service user, `nobody`
 * here) are replaced, so a doc edit that breaks them fails here.
 * The SQLite runbook needs root (it switches to the service user with
 * setpriv); the PostgreSQL one a test cluster and pg_dump.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../helpers/context.ts'
import { freshDatabase, POSTGRES_URL } from '../helpers/databases.ts'
import { randomKey } from '../helpers/keys.ts'

const ROOT = join(import.meta.dir, '..', '..')
const DOC = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8')
const isRoot = process.getuid?.() === 0
const hasSetpriv = existsSync('/usr/bin/setpriv')
// systemd-creds would create the host's credential key on first use: only where one exists already.
const credsReady = existsSync('/usr/bin/systemd-creds') && existsSync('/var/lib/systemd/credential.secret')
if (!isRoot || !hasSetpriv) console.log('skipped: the SQLite runbook of docs/deploy.md (needs root and setpriv to act as the service user)')

/** The ```sh blocks between two headings of deploy.md. */
function blocks(from: string, to: string): string[] {
  const section = DOC.slice(DOC.indexOf(from), DOC.indexOf(to, DOC.indexOf(from)))
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!)
}

async function sh(script: string, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(['bash', '-e', '-c', script], { env: { PATH: `${join(ROOT, 'bin')}:${process.env.PATH}`, HOME: '/tmp', ...env }, stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, out: out + err }
}

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir()
})
afterAll(() => tmp.cleanup())

describe.skipIf(!isRoot || !hasSetpriv)('docs/deploy.md, single node: commands against the deployed database, backup and restore', () => {
  for (const variant of ['A', 'B'] as const) {
    test.skipIf(variant === 'A' && !credsReady)(`as written, with the master key from ${variant === 'A' ? 'the encrypted credential' : 'the environment file'}`, async () => {
      const D = join(tmp.dir, variant)
      // The service user must reach its directory, as it reaches /var/lib.
      chmodSync(tmp.dir, 0o755)
      mkdirSync(D, { mode: 0o755 })
      mkdirSync(join(D, 'var'), { mode: 0o700 })
      chownSync(join(D, 'var'), 65534, 65534)
      mkdirSync(join(D, 'root'))
      const install = blocks('## Single node', '### The sandbox')
      const [setup, credential, envFile] = [install[0]!, install[1]!, install[2]!]
      const commands = blocks('### Commands against the deployed database', '## Several instances')
      let keyed = commands[1]!
      // The page defines svck twice (A, then B): keep the one of this variant.
      const [a, b] = keyed.split('# B: the environment file')
      keyed = variant === 'A' ? `${a!.replace('# A: the encrypted credential', '')}\n${b!.slice(b!.indexOf('svck audit head'))}` : b!
      const pick = (lines: string) => lines.split('\n').filter((l) => !/^(sudo useradd|sudo git clone|cd \/opt|sudo cp|systemctl|curl)/.test(l)).join('\n')
      let script = [
        pick(setup),
        variant === 'A' ? pick(credential) : pick(envFile),
        'PASSWORD=correct-horse-battery-staple',
        pick(commands[0]!),
        keyed,
        'printf v | svck set A',
        pick(commands[2]!), // head, backup
        'printf w | svck set B',
        pick(commands[3]!).replaceAll('2026-12-01', '$(date +%F)'), // restore, verify
        'svck list',
      ].join('\n')
      for (const [from, to] of [
        ['/etc/claude-hooks-secrets', join(D, 'etc')],
        ['/var/lib/claude-hooks-secrets', join(D, 'var')],
        ['/var/backups/claude-hooks-secrets', join(D, 'backups')],
        ['/etc/credstore.encrypted', join(D, 'credstore')],
        ['/root/', `${join(D, 'root')}/`],
        ['/opt/claude-hooks-secrets', ROOT],
        ['--reuid=claude-hooks-secrets --regid=claude-hooks-secrets', '--reuid=nobody --regid=nogroup'],
        ['sudo ', ''],
      ] as const) script = script.replaceAll(from, to)
      const r = await sh(script)
      expect(r.out).not.toContain('secrets: ')
      expect(r.code).toBe(0)
      expect(r.out).toContain('added operator alice')
      expect(r.out).toMatch(/restored \S+ to \S+secrets\.db\naudit head: \d+ [0-9a-f]{64} \(\d+ rows?\)/)
      expect(r.out).toMatch(/ok: \d+ rows \(head .*; contains the exported head \d+\)/)
      // B was set after the backup: the restore rolled it back.
      const list = r.out.slice(r.out.lastIndexOf('NAME'))
      expect(list).toContain('A ')
      expect(list).not.toMatch(/\nB /)
    })
  }
})

describe.skipIf(!POSTGRES_URL || !Bun.which('pg_dump'))('docs/deploy.md, PostgreSQL: pg_dump, pg_restore, the head compared', () => {
  test('as written: the restored store has the backup\'s secrets and contains the exported head; a later head is refused', async () => {
    const db = await freshDatabase('postgres')
    try {
      const env = { CLAUDE_HOOKS_SECRET_KEY: randomKey(), DATABASE_URL: db.url }
      const [runbook] = blocks('### Backup and restore (PostgreSQL)', '## Health')
      const lines = runbook!.replaceAll('2026-12-01', '$(date +%F)').split('\n')
      const at = lines.findIndex((l) => l.startsWith('# restore'))
      const dir = `cd ${tmp.dir}`
      expect((await sh(`${dir}\nprintf a | secrets set A`, env)).code).toBe(0)
      const backup = await sh([dir, ...lines.slice(0, at)].join('\n'), env)
      expect(backup.out).toBe('')
      expect(backup.code).toBe(0)
      expect((await sh(`${dir}\nprintf b | secrets set B\nsecrets audit head > later-head.txt`, env)).code).toBe(0)
      const restore = await sh([dir, ...lines.slice(at)].join('\n'), env)
      expect(restore.code).toBe(0)
      expect(restore.out).toMatch(/ok: \d+ rows \(head .*; contains the exported head \d+\)/)
      const list = await sh('secrets list', env)
      expect(list.out).toContain('A ')
      expect(list.out).not.toMatch(/\nB /)
      const later = await sh(`${dir}\nsecrets audit verify --head later-head.txt`, env)
      expect(later.code).toBe(1)
      expect(later.out).toContain('exported-head')
    } finally {
      await db.drop()
    }
  })
})
