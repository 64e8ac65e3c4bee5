/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 for the test matrix and the
 * benchmarks: initdb into a temporary directory (trust auth, no fsync), start
 * it on a free port, and remove it all on stop. Run as root, the server runs
 * as the `postgres` user (initdb refuses root). With a password it checks
 * passwords instead (scram-sha-256), for the tests of a refused login.
 */
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A running cluster: its URL (database `postgres`, user `postgres`) and how to stop it. */
export interface PgCluster {
  url: string
  port: number
  stop(): Promise<void>
}

const BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/local/bin', '/usr/bin']

/** Where initdb and pg_ctl are, or undefined when PostgreSQL is not installed. */
export function findPgBin(): string | undefined {
  for (const dir of BIN_DIRS) {
    if (Bun.file(join(dir, 'initdb')).size > 0 && Bun.file(join(dir, 'pg_ctl')).size > 0) return dir
  }
  return undefined
}

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

function postgresUid(): { uid: number; gid: number } | undefined {
  const line = require('node:fs')
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l: string) => l.startsWith('postgres:'))
  if (!line) return undefined
  const [, , uid, gid] = line.split(':')
  return { uid: Number(uid), gid: Number(gid) }
}

async function run(cmd: string[], asPostgres: boolean): Promise<void> {
  const full = asPostgres ? ['runuser', '-u', 'postgres', '--', ...cmd] : cmd
  const proc = Bun.spawn(full, { stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  if (code !== 0) throw new Error(`${cmd[0]} failed (${code}): ${err || out}`)
}

/**
 * Starts a cluster; with `password`, one whose user `postgres` must give it
 * (the URL then has no password: the caller adds it, or tests its refusal).
 * @throws Error when PostgreSQL is not installed or does not start.
 */
export async function startPgCluster(options: { password?: string } = {}): Promise<PgCluster> {
  const bin = findPgBin()
  if (!bin) throw new Error('PostgreSQL is not installed (no initdb/pg_ctl found); apt-get install postgresql')
  const root = process.getuid?.() === 0
  const owner = root ? postgresUid() : undefined
  if (root && !owner) throw new Error('running as root but there is no postgres user to run the server as')
  const dir = mkdtempSync(join(tmpdir(), 'chs-pg-'))
  if (owner) chownSync(dir, owner.uid, owner.gid)
  let auth = ['-A', 'trust']
  if (options.password !== undefined) {
    const pw = join(dir, 'pw')
    writeFileSync(pw, `${options.password}\n`, { mode: 0o600 })
    if (owner) chownSync(pw, owner.uid, owner.gid)
    auth = ['-A', 'scram-sha-256', '--pwfile', pw]
  }
  const data = join(dir, 'data')
  const port = await freePort()
  await run([join(bin, 'initdb'), '-D', data, ...auth, '-U', 'postgres', '--no-sync', '-E', 'UTF8'], root)
  await run(
    [join(bin, 'pg_ctl'), '-D', data, '-l', join(dir, 'server.log'), '-o', `-k ${dir} -h 127.0.0.1 -p ${port} -F`, '-w', 'start'],
    root,
  )
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      try {
        await run([join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop'], root)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
