/**
 * A throwaway PostgreSQL cluster that checks passwords (scram-sha-256), for
 * the tests of a refused login: the shared test cluster trusts every login.
 * Started like scripts/pg-cluster.ts (as the postgres user when run as root).
 */
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findPgBin } from '../../scripts/pg-cluster.ts'

/** A free TCP port on 127.0.0.1 (nothing listens on it once this returns). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })
}

async function run(cmd: string[], asPostgres: boolean): Promise<void> {
  const proc = Bun.spawn(asPostgres ? ['runuser', '-u', 'postgres', '--', ...cmd] : cmd, { stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  if (code !== 0) throw new Error(`${cmd[0]} failed (${code}): ${err || out}`)
}

/** Starts a cluster whose user `postgres` has `password`; its port, and how to stop it. */
export async function startPasswordCluster(password: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const bin = findPgBin()
  if (!bin) throw new Error('PostgreSQL is not installed')
  const root = process.getuid?.() === 0
  const dir = mkdtempSync(join(tmpdir(), 'chs-pgpw-'))
  const pw = join(dir, 'pw')
  writeFileSync(pw, `${password}\n`, { mode: 0o600 })
  if (root) {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'))!
    const [, , uid, gid] = line.split(':')
    chownSync(dir, Number(uid), Number(gid))
    chownSync(pw, Number(uid), Number(gid))
  }
  const data = join(dir, 'data')
  const port = await freePort()
  await run([join(bin, 'initdb'), '-D', data, '-A', 'scram-sha-256', '--pwfile', pw, '-U', 'postgres', '--no-sync'], root)
  await run([join(bin, 'pg_ctl'), '-D', data, '-l', join(dir, 'log'), '-o', `-k ${dir} -h 127.0.0.1 -p ${port} -F`, '-w', 'start'], root)
  return {
    port,
    async stop() {
      try {
        await run([join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'], root)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
